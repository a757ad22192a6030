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
 * Reads the top-level `"id"` of a JSON object from its first bytes without parsing the whole (possibly huge) text:
 * tracks nesting and strings, so an `"id"` inside params is not mistaken for it. Null when it cannot tell.
 */
export function peekTopLevelId(head: string): string | number | null {
  let depth = 0;
  let i = 0;
  let expectKey = false;
  while (i < head.length) {
    const c = head[i];
    if (c === '"') {
      const end = endOfString(head, i);
      if (end === -1) return null;
      if (depth === 1 && expectKey && head.slice(i, end + 1) === '"id"') {
        const rest = /^\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*[,}]/.exec(head.slice(end + 1));
        if (!rest) return null;
        return JSON.parse(rest[1]) as string | number;
      }
      expectKey = false;
      i = end + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    if (depth === 1 && (c === '{' || c === ',')) expectKey = true;
    else if (!/\s/.test(c)) expectKey = false;
    i++;
  }
  return null;
}

function endOfString(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
