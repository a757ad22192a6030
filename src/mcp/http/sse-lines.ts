/**
 * Collects an event-stream body into runs of complete lines (CR, LF or CRLF terminated), so the SSE parser only
 * ever sees whole lines: fed a partial line, eventsource-parser re-scans it on every chunk, which is O(n²) for one
 * multi-megabyte `data:` line. A partial line waits here as Buffers and is joined once, when it ends.
 */
export class CompleteLines {
  private parts: Buffer[] = [];
  private started = false;

  /** The text of every line `chunk` completes (terminators included); '' when no line ended in it. */
  push(chunk: Buffer): string {
    const cut = endOfLastLine(chunk);
    if (cut === 0) {
      this.parts.push(chunk);
      return '';
    }
    const head = chunk.subarray(0, cut);
    const text = this.parts.length ? Buffer.concat([...this.parts, head]).toString('utf8') : head.toString('utf8');
    this.parts = cut < chunk.length ? [chunk.subarray(cut)] : [];
    return this.withoutBom(text);
  }

  /** Whatever is left at the end of the body (an unterminated last line). */
  end(): string {
    const text = Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    return this.withoutBom(text);
  }

  /** An event stream may start with a UTF-8 byte order mark, which is not part of the first line. */
  private withoutBom(text: string): string {
    if (this.started || text === '') return text;
    this.started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
}

/**
 * Where the last complete line in `chunk` ends, 0 if none does. A CR as the chunk's last byte is left for the next
 * chunk: it may be the first half of a CRLF.
 */
function endOfLastLine(chunk: Buffer): number {
  const lf = chunk.lastIndexOf(0x0a);
  const cr = chunk.lastIndexOf(0x0d, chunk.length - 2);
  return Math.max(lf, cr) + 1;
}
