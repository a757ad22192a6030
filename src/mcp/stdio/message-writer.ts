import type { Writable } from 'node:stream';
import type { Logger } from '../../log/logger';
import { envelopeOfValue } from '../message/envelope-scanner';
import type { RawMessage } from '../message/raw-message';
import { overLimit, tooLargeAnswer, warnDropped } from './output-limit';

/**
 * Writes one JSON-RPC message per line to stdout. Writes are chained so lines never interleave, and each waits for
 * 'drain' when the pipe is full: callers that await it (SSE readers) stop reading upstream while the client is slow.
 * It is also the last guard of the client's line cap: no line over `maxOutputMessageSize` (0 = none) is written, a
 * response becomes an OUTPUT_TOO_LARGE error for its request and anything else is dropped with a warning (readers
 * of large answers apply the same rule as the bytes arrive, so they never hold them; see ../stdio/output-limit.ts).
 */
export class MessageWriter {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly out: Writable,
    private readonly logger: Logger,
    private readonly maxOutputMessageSize = 0,
  ) {
    // A client that closed its end of the pipe cannot be answered; writing must not crash the process.
    out.on('error', () => {
      this.closed = true;
    });
  }

  /**
   * Queues `message`. `text`, when given, is the JSON it was parsed from and is written as is (one copy less of a
   * large result) unless it spans lines; compact JSON never does.
   */
  write(message: unknown, text?: string): Promise<void> {
    const line = text !== undefined && !/[\r\n]/.test(text) ? text : JSON.stringify(message);
    const size = Buffer.byteLength(line);
    if (overLimit(size, this.maxOutputMessageSize)) return this.writeOverLimit(message, size);
    return this.queue([line + '\n']);
  }

  /** Queues a message as the bytes it arrived in: no string, no copy (pieces holding a line break excepted). */
  writeRaw(raw: RawMessage): Promise<void> {
    if (overLimit(raw.size, this.maxOutputMessageSize)) {
      const { envelope } = raw;
      if (envelope.kind === 'response' || envelope.kind === 'error') return this.write(tooLargeAnswer(envelope.id, raw.size, this.maxOutputMessageSize));
      warnDropped(this.logger, envelope, raw.size, this.maxOutputMessageSize);
      return this.tail;
    }
    return this.queue(raw.line());
  }

  /** Resolves once everything queued so far has been handed to the pipe. */
  flushed(): Promise<void> {
    return this.tail;
  }

  /** A parsed message over the limit: a response (or each response of a batch answer) becomes the error. */
  private writeOverLimit(message: unknown, size: number): Promise<void> {
    if (Array.isArray(message)) return this.write(message.map((element) => this.withinLimit(element)).filter((element) => element !== undefined));
    const fitted = this.withinLimit(message, size);
    return fitted === undefined ? this.tail : this.write(fitted);
  }

  /** `message` itself when it fits, its error answer when it is a response, undefined (dropped) otherwise. */
  private withinLimit(message: unknown, size = Buffer.byteLength(JSON.stringify(message))): unknown {
    const limit = this.maxOutputMessageSize;
    if (!overLimit(size, limit)) return message;
    const envelope = envelopeOfValue(message);
    if (envelope.kind === 'response' || envelope.kind === 'error') return tooLargeAnswer(envelope.id, size, limit);
    warnDropped(this.logger, envelope, size, limit);
    return undefined;
  }

  private queue(pieces: Array<string | Buffer>): Promise<void> {
    const next = this.tail.then(() => this.writePieces(pieces));
    this.tail = next;
    return next;
  }

  private writePieces(pieces: Array<string | Buffer>): Promise<void> {
    if (this.closed || this.out.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      // Corked, the pieces of one line go to the pipe in one writev, straight from the buffers they arrived in.
      this.out.cork();
      let flowing = true;
      for (const piece of pieces) flowing = this.out.write(piece);
      this.out.uncork();
      if (flowing) return resolve();
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
    });
  }
}
