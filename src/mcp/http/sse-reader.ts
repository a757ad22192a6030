/**
 * Where an event's data goes as it arrives: each piece is a view of the body's own chunks (no copy), so a sink that
 * keeps them holds the data once, and one that stops keeping them (over a size limit) holds nothing more.
 */
export interface DataSink<T> {
  push(piece: Buffer): void;
  /** The event ended: what the consumer gets as its data. */
  finish(): T;
}

export interface SseEvent<T> {
  /** The event's `id:` field, if it had one (the point a resumed stream continues from). */
  id?: string;
  /** The `event:` field (absent = "message"). */
  event?: string;
  /** Bytes of data (the `data:` lines' values joined by LF); 0 for priming events and keep-alives. */
  size: number;
  data: T;
}

export interface SseReadOptions<T> {
  /** A sink for the next event's data. */
  sink: () => DataSink<T>;
  /** Called when the stream sets a reconnection delay (`retry:`). */
  onRetry?: (ms: number) => void;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = Buffer.from('\n');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const KEPT_FIELDS = new Set(['id', 'event', 'retry']);
/** Field names are short; values of fields other than data (id, event, retry) are kept up to this many bytes. */
const MAX_FIELD_BYTES = 64 * 1024;

/**
 * The text/event-stream format (WHATWG HTML §9.2) read from bytes: lines end in CRLF, LF or CR (a CR at the end of a
 * chunk may be half of a CRLF), a BOM may open the stream, `:` lines are comments, one space after the colon is not
 * part of the value, an event is dispatched at an empty line. A `data:` value is never decoded or joined: its bytes go
 * to the event's sink as views of the chunks they arrived in, so a multi-megabyte event costs no copy and no string,
 * and every byte is looked at once (line ends are found with native searches, each position remembered per chunk).
 */
export class SseParser<T> {
  private readonly events: Array<SseEvent<T>> = [];
  /** Whether the stream start (a possible BOM) is still undecided, and the bytes seen of it so far. */
  private bomPending: Buffer | undefined = Buffer.alloc(0);
  /** The previous chunk ended with a CR: an LF first in this one belongs to it. */
  private afterCR = false;
  /** The current line so far: field name bytes until the colon, then the value (for fields other than data). */
  private field: Buffer[] = [];
  private fieldSize = 0;
  /** The current line's field once its colon was seen; 'data' lines stream their value to the sink. */
  private current: 'data' | 'kept' | 'skipped' | undefined;
  private value: Buffer[] = [];
  private valueSize = 0;
  /** The line has bytes (an empty line dispatches the event). */
  private lineStarted = false;
  /** The first value byte of this line may be the one space to drop. */
  private atValueStart = false;
  private sink: DataSink<T> | undefined;
  private dataLines = 0;
  private dataSize = 0;
  private id: string | undefined;
  private hasId = false;
  private eventType: string | undefined;

  constructor(private readonly options: SseReadOptions<T>) {}

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Buffer): Array<SseEvent<T>> {
    if (this.bomPending) {
      chunk = this.stripBom(chunk);
      if (this.bomPending) return this.take();
    }
    let i = 0;
    if (this.afterCR && chunk.length > 0) {
      this.afterCR = false;
      if (chunk[0] === LF) i = 1;
    }
    // The next LF and CR at or after i (-1: none left in this chunk); each is searched for again only once passed,
    // so a chunk of many short lines is not rescanned to its end for every line.
    let nextLF = chunk.indexOf(LF, i);
    let nextCR = chunk.indexOf(CR, i);
    while (i < chunk.length) {
      if (nextLF !== -1 && nextLF < i) nextLF = chunk.indexOf(LF, i);
      if (nextCR !== -1 && nextCR < i) nextCR = chunk.indexOf(CR, i);
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      if (end === -1) {
        this.lineBytes(chunk, i, chunk.length);
        break;
      }
      this.lineBytes(chunk, i, end);
      this.endLine();
      i = end + 1;
      if (chunk[end] === CR) {
        if (i === chunk.length) this.afterCR = true;
        else if (chunk[i] === LF) i++;
      }
    }
    return this.take();
  }

  /** The body ended: an unterminated last line is discarded, as is an event without its closing empty line. */
  end(): Array<SseEvent<T>> {
    return this.take();
  }

  private take(): Array<SseEvent<T>> {
    return this.events.splice(0, this.events.length);
  }

  private stripBom(chunk: Buffer): Buffer {
    const seen = this.bomPending!.length ? Buffer.concat([this.bomPending!, chunk]) : chunk;
    if (seen.length < BOM.length && BOM.subarray(0, seen.length).equals(seen)) {
      this.bomPending = seen;
      return Buffer.alloc(0);
    }
    this.bomPending = undefined;
    return seen.subarray(0, BOM.length).equals(BOM) ? seen.subarray(BOM.length) : seen;
  }

  /** Bytes [from, to) of the current line. */
  private lineBytes(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.lineStarted = true;
    if (this.current === undefined) {
      const colon = chunk.indexOf(COLON, from);
      const nameEnd = colon === -1 || colon >= to ? to : colon;
      this.keepField(chunk.subarray(from, nameEnd));
      if (nameEnd === to) return;
      const name = this.fieldName();
      // Comments (an empty name) and unknown fields are skipped without keeping their values.
      this.current = name === 'data' ? 'data' : KEPT_FIELDS.has(name) ? 'kept' : 'skipped';
      if (this.current === 'data') this.startDataLine();
      this.atValueStart = true;
      from = nameEnd + 1;
      if (from === to) return;
    }
    if (this.atValueStart) {
      this.atValueStart = false;
      if (chunk[from] === SPACE) from++;
      if (from === to) return;
    }
    const piece = chunk.subarray(from, to);
    if (this.current === 'data') {
      this.sink!.push(piece);
      this.dataSize += piece.length;
    } else if (this.current === 'skipped') {
      return;
    } else if (this.valueSize + piece.length <= MAX_FIELD_BYTES) {
      this.value.push(piece);
      this.valueSize += piece.length;
    } else {
      this.valueSize = Infinity; // too long for an id, event name or retry: ignored
    }
  }

  private keepField(piece: Buffer): void {
    if (this.fieldSize + piece.length <= MAX_FIELD_BYTES) this.field.push(piece);
    this.fieldSize += piece.length;
  }

  private fieldName(): string {
    return this.fieldSize > MAX_FIELD_BYTES ? '' : Buffer.concat(this.field).toString('utf8');
  }

  private startDataLine(): void {
    this.sink ??= this.options.sink();
    if (this.dataLines++ > 0) {
      this.sink.push(NEWLINE);
      this.dataSize += 1;
    }
  }

  private endLine(): void {
    if (!this.lineStarted) return this.dispatch();
    if (this.current === undefined) {
      // A line without a colon is a field with an empty value (a bare "data" line adds an empty line of data).
      const name = this.fieldName();
      if (name === 'data') this.startDataLine();
      else if (name !== '') this.setField(name, '');
    } else if (this.current === 'kept' && this.valueSize !== Infinity) {
      this.setField(this.fieldName(), Buffer.concat(this.value).toString('utf8'));
    }
    this.field = [];
    this.fieldSize = 0;
    this.value = [];
    this.valueSize = 0;
    this.current = undefined;
    this.lineStarted = false;
    this.atValueStart = false;
  }

  private setField(name: string, value: string): void {
    if (name === 'id') {
      if (!value.includes('\0')) {
        this.id = value;
        this.hasId = true;
      }
    } else if (name === 'event') {
      this.eventType = value || undefined;
    } else if (name === 'retry') {
      if (/^\d+$/.test(value)) this.options.onRetry?.(Number(value));
    }
  }

  /**
   * An empty line: the event ends. Events with data, and events that only set an id (the point a resumed stream
   * continues from), are handed on; others are dropped.
   */
  private dispatch(): void {
    if (this.dataLines > 0 || this.hasId) {
      const sink = this.sink ?? this.options.sink();
      this.events.push({ id: this.hasId ? this.id : undefined, event: this.eventType, size: this.dataSize, data: sink.finish() });
    }
    this.sink = undefined;
    this.dataLines = 0;
    this.dataSize = 0;
    this.id = undefined;
    this.hasId = false;
    this.eventType = undefined;
  }
}

/**
 * Yields the events of a text/event-stream body as they arrive. Pulling one event at a time means a consumer that
 * awaits its output (stdout backpressure) stops the body being read.
 */
export async function* readSseEvents<T>(body: AsyncIterable<Buffer | Uint8Array>, options: SseReadOptions<T>): AsyncGenerator<SseEvent<T>> {
  const parser = new SseParser(options);
  for await (const chunk of body) {
    yield* parser.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  yield* parser.end();
}

/** The plain sink: keeps the pieces (views of the body's chunks) as they came. */
export function pieces(): DataSink<Buffer[]> {
  const kept: Buffer[] = [];
  return { push: (piece) => kept.push(piece), finish: () => kept };
}
