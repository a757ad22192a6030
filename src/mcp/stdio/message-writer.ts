import type { Writable } from 'node:stream';

/**
 * Writes one JSON-RPC message per line to stdout. Writes are chained so lines never interleave, and each waits for
 * 'drain' when the pipe is full: callers that await it (SSE readers) stop reading upstream while the client is slow.
 */
export class MessageWriter {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly out: Writable) {
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
    const line = (text !== undefined && !/[\r\n]/.test(text) ? text : JSON.stringify(message)) + '\n';
    const next = this.tail.then(() => this.writeLine(line));
    this.tail = next;
    return next;
  }

  /** Resolves once everything queued so far has been handed to the pipe. */
  flushed(): Promise<void> {
    return this.tail;
  }

  private writeLine(line: string): Promise<void> {
    if (this.closed || this.out.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.out.write(line)) return resolve();
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
