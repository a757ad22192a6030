import { EnvelopeScanner, idOf } from '../message/envelope-scanner';

/** What the splitter yields: a complete line, or notice that a line exceeded the limit (its head kept for the id). */
export type LineEvent = { kind: 'line'; bytes: Buffer } | { kind: 'oversize'; head: Buffer };

/** How much of an oversized line is kept to look for its id. */
const HEAD_BYTES = 64 * 1024;

/**
 * Newline-delimited framing with a bound: a line longer than `maxBytes` is reported once, as soon as it crosses
 * the limit, and the rest of it is discarded up to the next newline, so memory stays bounded whatever stdin sends.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      this.take(chunk.subarray(start, end), events);
      if (nl === -1) break;
      this.finishLine(events);
      start = nl + 1;
    }
    return events;
  }

  /** The unterminated last line at end of input, if any. */
  end(): LineEvent[] {
    const events: LineEvent[] = [];
    this.finishLine(events);
    return events;
  }

  private take(piece: Buffer, events: LineEvent[]): void {
    if (this.discarding || piece.length === 0) return;
    if (this.size + piece.length > this.maxBytes) {
      const head = Buffer.concat([...this.parts, piece.subarray(0, Math.max(0, HEAD_BYTES - this.size))]).subarray(0, HEAD_BYTES);
      events.push({ kind: 'oversize', head });
      this.parts = [];
      this.size = 0;
      this.discarding = true;
      return;
    }
    this.parts.push(Buffer.from(piece)); // copy: the caller's chunk buffer may be reused
    this.size += piece.length;
  }

  private finishLine(events: LineEvent[]): void {
    if (!this.discarding && this.size > 0) {
      const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
      events.push({ kind: 'line', bytes });
    }
    this.parts = [];
    this.size = 0;
    this.discarding = false;
  }
}

/**
 * The top-level `"id"` of a JSON-RPC message from its first bytes (the envelope scanner reads past params and
 * strings, so an `"id"` inside them is not mistaken for it). Null when the head does not reveal it.
 */
export function peekTopLevelId(head: string): string | number | null {
  const scanner = new EnvelopeScanner();
  scanner.push(Buffer.from(head));
  return idOf(scanner.result());
}
