import type { JsonRpcId } from '../jsonrpc';

/** What the relay needs to route a message, read without parsing it: kind, id and method. */
export type Envelope =
  | { kind: 'request'; id: JsonRpcId; method: string }
  | { kind: 'notification'; method: string }
  | { kind: 'response'; id: JsonRpcId }
  /** A response carrying `error` instead of `result`. */
  | { kind: 'error'; id: JsonRpcId }
  /** Not a JSON-RPC 2.0 message (or not one the scan could read); `id` is set when one could be read. */
  | { kind: 'invalid'; id: JsonRpcId | null; reason: string };

/** A top-level member's value as far as routing cares: short strings and numbers are kept, the rest only typed. */
export type Scalar = { type: 'string'; value: string } | { type: 'number'; value: number } | { type: 'null' | 'other' };

/** The facts a scan collects; `envelopeOf` turns them into an Envelope by the rules of JSON-RPC 2.0. */
export interface EnvelopeFacts {
  /** What the text starts with: an object, an array (a batch), anything else, or nothing yet. */
  shape: 'object' | 'array' | 'other' | 'empty';
  jsonrpc?: Scalar;
  /** Present when the object has an `id` member (its value may still be null or of a wrong type). */
  id?: Scalar;
  method?: Scalar;
  hasResult: boolean;
  hasError: boolean;
  /** The top-level value closed, with nothing but whitespace after it (so far). */
  complete: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const LF = 0x0a;
const CR = 0x0d;

/** Keys and values longer than this are not kept (no member the relay reads is): only their type is. */
const MAX_CAPTURE = 1024;
/** Inside a string, bytes looked at one by one before a native search for the closing quote takes over. */
const SHORT_STRETCH = 32;

/** Byte classes for nested values, where only strings, brackets and line breaks matter. */
const PLAIN = 0;
const STRING = 1;
const OPEN = 2;
const CLOSE = 3;
const NESTED_CLASS = new Uint8Array(256);
NESTED_CLASS[QUOTE] = STRING;
NESTED_CLASS[OPEN_BRACE] = NESTED_CLASS[OPEN_BRACKET] = OPEN;
NESTED_CLASS[CLOSE_BRACE] = NESTED_CLASS[CLOSE_BRACKET] = CLOSE;

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === LF || b === CR;
const isDelimiter = (b: number) => b === COMMA || b === CLOSE_BRACE || isSpace(b);

/** Where the scanner is in the text, outside of strings. */
const enum Expect {
  /** Before the top-level value. */
  Start,
  /** After `{` or `,` at depth 1: a member name. */
  Key,
  /** After a member name at depth 1: its colon. */
  Colon,
  /** After the colon at depth 1: the member's value. */
  Value,
  /** Inside a number or literal (true/false/null) that is a depth-1 member's value. */
  Bare,
  /** After a depth-1 value: `,` or `}`. */
  Next,
  /** Inside a nested value (depth ≥ 2): only brackets and strings matter. */
  Nested,
  /** After the top-level value closed: only whitespace may follow. */
  Done,
}

/** The members the relay reads; any other member is skipped without keeping a byte of it. */
type Wanted = 'jsonrpc' | 'id' | 'method' | 'result' | 'error';
const WANTED = new Set<string>(['jsonrpc', 'id', 'method', 'result', 'error']);

/**
 * Reads a JSON-RPC message's top-level members (jsonrpc, id, method, and whether it has result or error) from its
 * bytes, fed in pieces as they arrive, without building the message: it follows nesting and strings, so an `"id"`
 * inside params or inside a string is never taken for the message's, and skips what it need not read (string bodies
 * with a native search for the closing quote, nested values with a byte-class table). It is not a validator: text
 * that is not JSON may scan as something; parse what must be valid. Memory: the few short members it keeps, whatever
 * the size of the message.
 */
export class EnvelopeScanner {
  private readonly facts: EnvelopeFacts = { shape: 'empty', hasResult: false, hasError: false, complete: false };
  private expect = Expect.Start;
  private depth = 0;
  private inString = false;
  /** The previous piece ended inside a string just after a backslash: the next byte is escaped. */
  private escaped = false;
  /** The depth-1 key or value being read, when it is one to keep (capped at MAX_CAPTURE bytes). */
  private capturing = false;
  private capture: Buffer[] = [];
  private captureSize = 0;
  private captureEscapes = false;
  private currentKey: Wanted | undefined;
  /** Where in the current piece the byte given to structural() is, and where a number or literal started. */
  private at = 0;
  /** -1 once the token's start is kept in `capture` (it began in an earlier piece). */
  private bareStart = -1;
  private trailingGarbage = false;
  /** Bytes fed so far. */
  size = 0;

  /** Feeds the next piece of the message. */
  push(piece: Buffer): void {
    this.size += piece.length;
    const n = piece.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        i = this.skipString(piece, i);
        continue;
      }
      switch (this.expect) {
        case Expect.Nested:
          i = this.skipNested(piece, i);
          continue;
        case Expect.Bare: {
          const from = this.bareStart >= 0 ? this.bareStart : i;
          let j = i;
          while (j < n && !isDelimiter(piece[j])) j++;
          if (j < n) this.endBare(piece, from, j); // the delimiter itself is read in the Next state
          else this.keep(piece, from, n);
          this.bareStart = -1;
          i = j;
          continue;
        }
        default:
          this.at = i;
          this.structural(piece[i]);
          i++;
      }
    }
    // A number or literal whose first byte ended the piece: keep that byte for the next piece.
    if (this.expect === Expect.Bare && this.bareStart >= 0) this.keep(piece, this.bareStart, n);
    this.bareStart = -1;
  }

  /** The facts read so far (final once the whole message was fed). */
  result(): EnvelopeFacts {
    this.facts.complete = this.expect === Expect.Done && this.facts.shape === 'object' && !this.trailingGarbage && !this.inString;
    return this.facts;
  }

  /**
   * Inside nested values from `i`: returns where depth 1 is back, a long string (or one that runs past this piece)
   * starts, or the piece ends. Short strings are skipped here, without leaving the loop.
   */
  private skipNested(piece: Buffer, i: number): number {
    const n = piece.length;
    let depth = this.depth;
    while (i < n) {
      const c = NESTED_CLASS[piece[i]];
      if (c === PLAIN) {
        i++;
      } else if (c === STRING) {
        let j = i + 1;
        const stop = Math.min(n, j + SHORT_STRETCH);
        while (j < stop) {
          const b = piece[j];
          if (b === QUOTE || b === BACKSLASH) break;
          j++;
        }
        if (j < n && piece[j] === QUOTE) {
          i = j + 1;
          continue;
        }
        this.depth = depth;
        this.startString(false);
        return i + 1; // escapes, a long string or the piece's end: the general string path takes it
      } else if (c === OPEN) {
        depth++;
        i++;
      } else if (c === CLOSE) {
        i++;
        if (--depth === 1) {
          this.depth = depth;
          this.expect = Expect.Next;
          return i;
        }
      }
    }
    this.depth = depth;
    return n;
  }

  /** A byte outside strings, at depth ≤ 1. */
  private structural(b: number): void {
    if (isSpace(b)) return;
    switch (this.expect) {
      case Expect.Start:
        if (b === OPEN_BRACE) {
          this.facts.shape = 'object';
          this.depth = 1;
          this.expect = Expect.Key;
        } else {
          this.facts.shape = b === OPEN_BRACKET ? 'array' : 'other';
          this.expect = Expect.Done; // not an object: nothing more to learn
        }
        return;
      case Expect.Key:
        if (b === QUOTE) this.startString(true);
        else if (b === CLOSE_BRACE) this.expect = Expect.Done;
        else this.trailingGarbage = true;
        return;
      case Expect.Colon:
        if (b === COLON) this.expect = Expect.Value;
        else this.trailingGarbage = true;
        return;
      case Expect.Value: {
        const key = this.currentKey;
        if (key === 'result') this.facts.hasResult = true;
        else if (key === 'error') this.facts.hasError = true;
        if (b === QUOTE) return this.startString(key === 'jsonrpc' || key === 'id' || key === 'method');
        if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          this.setMember({ type: 'other' });
          this.depth = 2;
          this.expect = Expect.Nested;
          return;
        }
        this.expect = Expect.Bare;
        this.resetCapture();
        this.bareStart = this.at; // the token starts with this byte
        return;
      }
      case Expect.Next:
        if (b === COMMA) this.expect = Expect.Key;
        else if (b === CLOSE_BRACE) this.expect = Expect.Done;
        else this.trailingGarbage = true;
        return;
      case Expect.Done:
        this.trailingGarbage = true;
        return;
    }
  }

  private startString(capturing: boolean): void {
    this.inString = true;
    this.escaped = false;
    this.capturing = capturing;
    if (capturing) this.resetCapture();
  }

  private resetCapture(): void {
    this.capture = [];
    this.captureSize = 0;
    this.captureEscapes = false;
  }

  /**
   * Inside a string from `i`: finds its closing quote, returns where scanning goes on. A short stretch is read byte
   * by byte (text dense with escaped quotes would cost a native call per quote); past it a native search for the
   * next quote takes over, and the quote is escaped when an odd run of backslashes precedes it.
   */
  private skipString(piece: Buffer, i: number): number {
    const n = piece.length;
    const start = i;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    for (;;) {
      const stop = Math.min(n, i + SHORT_STRETCH);
      while (i < stop) {
        const b = piece[i];
        if (b === QUOTE) return this.endString(piece, start, i);
        if (b === BACKSLASH) {
          this.captureEscapes = this.capturing;
          i += 2;
        } else {
          i++;
        }
      }
      if (i >= n) {
        this.escaped = i > n; // the piece ended just after a backslash
        this.keep(piece, start, n);
        return n;
      }
      const q = piece.indexOf(QUOTE, i);
      let run = 0;
      const end = q === -1 ? n : q;
      while (end - run > i && piece[end - run - 1] === BACKSLASH) run++;
      if (this.capturing && !this.captureEscapes) {
        const backslash = piece.indexOf(BACKSLASH, i);
        this.captureEscapes = backslash !== -1 && backslash < end;
      }
      if (q === -1) {
        this.escaped = run % 2 === 1;
        this.keep(piece, start, n);
        return n;
      }
      if (run % 2 === 0) return this.endString(piece, start, q);
      i = q + 1; // an escaped quote: the string goes on
    }
  }

  /** The string that started at `start` (or in an earlier piece) closed at `quote`. */
  private endString(piece: Buffer, start: number, quote: number): number {
    this.inString = false;
    if (!this.capturing) {
      if (this.depth === 1) this.endValue({ type: 'other' });
      return quote + 1;
    }
    this.capturing = false;
    const text = this.captured(piece, start, quote);
    if (this.expect === Expect.Key) {
      this.currentKey = text !== undefined && WANTED.has(text) ? (text as Wanted) : undefined;
      this.expect = Expect.Colon;
    } else {
      this.endValue(text === undefined ? { type: 'other' } : { type: 'string', value: text });
    }
    return quote + 1;
  }

  /**
   * The captured string's value: the bytes kept from earlier pieces plus [start, end) of this one. Undefined when it
   * was too long or its escapes are invalid.
   */
  private captured(piece: Buffer, start: number, end: number): string | undefined {
    if (this.captureSize + (end - start) > MAX_CAPTURE) return undefined;
    const text = this.capture.length === 0 ? piece.toString('utf8', start, end) : Buffer.concat([...this.capture, piece.subarray(start, end)]).toString('utf8');
    if (!this.captureEscapes) return text;
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps bytes [from, to) of a string or token that continues in the next piece, up to the cap (a copy: the caller
   * may reuse its pieces).
   */
  private keep(piece: Buffer, from: number, to: number): void {
    if (!this.capturing && this.expect !== Expect.Bare) return;
    if (to <= from) return;
    this.captureSize += to - from;
    if (this.captureSize <= MAX_CAPTURE) this.capture.push(Buffer.from(piece.subarray(from, to)));
  }

  /** A depth-1 number or literal ended at `end` (it started at `start`, or in an earlier piece). */
  private endBare(piece: Buffer, start: number, end: number): void {
    const text = this.captureSize + (end - start) > MAX_CAPTURE ? '' : this.capture.length === 0 ? piece.toString('latin1', start, end) : Buffer.concat([...this.capture, piece.subarray(start, end)]).toString('latin1');
    if (text === 'null') this.endValue({ type: 'null' });
    else if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) this.endValue({ type: 'number', value: Number(text) });
    else this.endValue({ type: 'other' });
  }

  private endValue(value: Scalar): void {
    this.setMember(value);
    this.expect = Expect.Next;
  }

  /** The last occurrence of a duplicated member wins, as with JSON.parse. */
  private setMember(value: Scalar): void {
    const key = this.currentKey;
    if (key === 'jsonrpc' || key === 'id' || key === 'method') this.facts[key] = value;
  }
}

/** The message's id when it has a usable one (a string or a finite number), else null. */
function idOf(facts: EnvelopeFacts): JsonRpcId | null {
  const { id } = facts;
  return id?.type === 'string' || (id?.type === 'number' && Number.isFinite(id.value)) ? id.value : null;
}

/** The JSON-RPC 2.0 rules over a message's facts, scanned (EnvelopeScanner) or read from a parsed value (factsOf). */
export function envelopeOf(facts: EnvelopeFacts): Envelope {
  if (facts.shape !== 'object') return { kind: 'invalid', id: null, reason: 'not a JSON object' };
  const id = idOf(facts);
  if (facts.jsonrpc?.type !== 'string' || facts.jsonrpc.value !== '2.0') return { kind: 'invalid', id, reason: 'jsonrpc must be "2.0"' };
  if (facts.method?.type === 'string') {
    if (facts.id === undefined) return { kind: 'notification', method: facts.method.value };
    if (id === null) return { kind: 'invalid', id: null, reason: 'request id must be a string or number' };
    return { kind: 'request', id, method: facts.method.value };
  }
  if (facts.method !== undefined) return { kind: 'invalid', id, reason: 'method must be a string' };
  if (facts.hasResult !== facts.hasError && id !== null) return facts.hasResult ? { kind: 'response', id } : { kind: 'error', id };
  return { kind: 'invalid', id, reason: 'neither a request, a notification nor a response' };
}

/** The same facts of a value already parsed (a batch element, a message built here), so one set of rules serves both. */
export function factsOf(value: unknown): EnvelopeFacts {
  const facts: EnvelopeFacts = { shape: 'other', hasResult: false, hasError: false, complete: true };
  if (typeof value !== 'object' || value === null) return facts;
  if (Array.isArray(value)) return { ...facts, shape: 'array' };
  const member = value as Record<string, unknown>;
  return {
    ...facts,
    shape: 'object',
    jsonrpc: 'jsonrpc' in member ? scalarOf(member.jsonrpc) : undefined,
    id: 'id' in member ? scalarOf(member.id) : undefined,
    method: 'method' in member ? scalarOf(member.method) : undefined,
    hasResult: 'result' in member,
    hasError: 'error' in member,
  };
}

function scalarOf(value: unknown): Scalar {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'number') return { type: 'number', value };
  return { type: value === null ? 'null' : 'other' };
}

/** The envelope of a value already parsed. */
export const envelopeOfValue = (value: unknown): Envelope => envelopeOf(factsOf(value));

/** Scans a whole message held in one or more Buffers. */
export function scanEnvelope(bytes: Buffer | readonly Buffer[]): { envelope: Envelope; facts: EnvelopeFacts } {
  const scanner = new EnvelopeScanner();
  if (Buffer.isBuffer(bytes)) scanner.push(bytes);
  else for (const piece of bytes) scanner.push(piece);
  const facts = scanner.result();
  return { envelope: envelopeOf(facts), facts };
}
