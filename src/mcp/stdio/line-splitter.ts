import { MessageCollector, type Collected } from '../message/message-collector';

/** Pieces shorter than this are copied, so a short line does not keep the whole chunk it came in alive. */
const COPY_BELOW = 16 * 1024;

/**
 * Newline-delimited framing with a bound: each line is collected as the chunks it arrived in (no copy, no string)
 * and its envelope scanned on the way. A line longer than `maxBytes` is let go as it passes the limit and scanned to
 * its end, so memory stays bounded whatever comes in, and it is reported with the id it carries wherever that is.
 */
export class LineSplitter {
  private line?: MessageCollector;

  constructor(private readonly maxBytes: number) {}

  /** The lines `chunk` completes. */
  push(chunk: Buffer): Collected[] {
    const lines: Collected[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (end > start) {
        const piece = chunk.subarray(start, end);
        (this.line ??= new MessageCollector(this.maxBytes)).push(piece.length < COPY_BELOW && piece.length < chunk.length ? Buffer.from(piece) : piece);
      }
      if (nl === -1) break;
      lines.push(this.finishLine());
      start = nl + 1;
    }
    return lines;
  }

  /** The unterminated last line at end of input, if any. */
  end(): Collected[] {
    return this.line ? [this.finishLine()] : [];
  }

  private finishLine(): Collected {
    const line = this.line?.finish() ?? { kind: 'blank' };
    this.line = undefined;
    return line;
  }
}
