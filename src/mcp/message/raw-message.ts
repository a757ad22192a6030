import type { Envelope } from './envelope-scanner';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const NEWLINE = Buffer.from('\n');
/** Messages smaller than this are written as one joined copy. */
const JOIN_BELOW = 16 * 1024;

/**
 * One JSON-RPC message as the bytes it arrived in (views of the chunks it was read from, never joined), with its
 * envelope read by the scanner. It is parsed only if someone asks for its value, and written as those same bytes:
 * a multi-megabyte result is held once, as it came, and never turned into a string or an object.
 */
export class RawMessage {
  private parsed?: { value: unknown } | { error: unknown };

  constructor(
    readonly pieces: readonly Buffer[],
    /** Bytes in all pieces. */
    readonly size: number,
    readonly envelope: Envelope,
    /** The text is one complete JSON object (as far as the scan can tell): a cut-off body is not. */
    readonly complete: boolean,
  ) {}

  /** The bytes in one Buffer (a copy when there are several pieces). */
  bytes(): Buffer {
    return this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces, this.size);
  }

  /** This message in one piece: itself, or a copy holding one Buffer, so the chunks it came in can be freed. */
  joined(): RawMessage {
    if (this.pieces.length === 1) return this;
    const joined = new RawMessage([this.bytes()], this.size, this.envelope, this.complete);
    joined.parsed = this.parsed;
    return joined;
  }

  /** The text, decoded (for small messages: HTTP bodies, logs). */
  text(): string {
    return this.bytes().toString('utf8');
  }

  /** The text of the first `bytes` bytes, for error messages and logs (a character cut in two shows as U+FFFD). */
  head(bytes: number): string {
    const first = this.pieces[0] ?? Buffer.alloc(0);
    return (first.length >= bytes || this.pieces.length === 1 ? first : this.bytes()).subarray(0, bytes).toString('utf8');
  }

  /** The parsed value, computed once; throws (each time) what JSON.parse threw for text that is not JSON. */
  value(): unknown {
    if (!this.parsed) {
      try {
        this.parsed = { value: JSON.parse(this.text()) };
      } catch (error) {
        this.parsed = { error };
      }
    }
    if ('error' in this.parsed) throw this.parsed.error;
    return this.parsed.value;
  }

  /**
   * The pieces to write for this message as one line of newline-delimited JSON-RPC, the newline included. A CR or
   * LF byte inside the message is either whitespace between tokens (pretty-printed JSON) or invalid JSON (raw in a
   * string): either way it must not end the line early, so it becomes a space, in a copy of just the pieces that
   * hold one (the pieces are shared with whoever read them).
   */
  line(): Buffer[] {
    // A small message costs less as one write of one small copy than as a writev of views.
    if (this.size < JOIN_BELOW) return [withoutLineBreaks(Buffer.concat([...this.pieces, NEWLINE], this.size + 1), this.size)];
    const out: Buffer[] = [];
    for (const piece of this.pieces) out.push(piece.indexOf(LF) === -1 && piece.indexOf(CR) === -1 ? piece : withoutLineBreaks(Buffer.from(piece), piece.length));
    out.push(NEWLINE);
    return out;
  }
}

/** Replaces CR and LF with spaces in the first `length` bytes of `copy`, a Buffer of our own. */
function withoutLineBreaks(copy: Buffer, length: number): Buffer {
  for (let i = copy.indexOf(LF); i !== -1 && i < length; i = copy.indexOf(LF, i + 1)) copy[i] = SPACE;
  for (let i = copy.indexOf(CR); i !== -1 && i < length; i = copy.indexOf(CR, i + 1)) copy[i] = SPACE;
  return copy;
}
