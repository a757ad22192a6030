import type { Duplex } from 'node:stream';
import { BridgeError, toJsonRpcError } from '../../errors/catalogue';
import { classify, errorResponse, idKey, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc';
import { LineSplitter, peekTopLevelId } from '../stdio/line-splitter';

/** How a connection ended. */
export interface ConnectionEnd {
  /** Bytes the server sent before the end: 0 means the connection was refused before a word (or never worked). */
  bytesReceived: number;
  /** What the stream failed with, if anything (a TLS alert refusing the client certificate arrives this way). */
  error?: Error;
}

/** What became of a request written (or about to be written) on a connection. */
export type CallOutcome =
  | { kind: 'answer'; message: JsonRpcMessage; text?: string }
  /** The connection had ended before the request could be written: nothing reached the server. */
  | { kind: 'unsent'; end: ConnectionEnd }
  /** The connection ended after the request was written and before its answer. */
  | { kind: 'lost'; end: ConnectionEnd };

export interface ConnectionEvents {
  /** A message that answers no call on this connection: notifications, server→client requests, stray responses. */
  message(message: JsonRpcMessage, text: string): void;
  /** A line that is not JSON-RPC, or too long to read; already answered to its request when its id could be read. */
  badLine(error: BridgeError): void;
  /** The connection ended (once). */
  closed(end: ConnectionEnd): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One byte stream to an MCP server (a Teleport stdio or SSE app: one connection is one MCP session) carrying
 * newline-delimited JSON-RPC both ways: requests written here are matched with their responses by id; everything
 * else goes to `events`. Lines over `maxMessageSize` and lines that are not JSON-RPC never crash it: they fail the
 * request they answer when its id can be read, and are reported otherwise.
 */
export class StreamConnection {
  private readonly calls = new Map<string, (outcome: CallOutcome) => void>();
  private readonly splitter: LineSplitter;
  private bytesReceived = 0;
  private error?: Error;
  private end?: ConnectionEnd;
  private announceEnd!: (end: ConnectionEnd) => void;
  /** Resolves when the connection has ended. */
  readonly finished = new Promise<ConnectionEnd>((resolve) => (this.announceEnd = resolve));

  constructor(
    private readonly stream: Duplex,
    private readonly maxMessageSize: number,
    private readonly events: ConnectionEvents,
  ) {
    this.splitter = new LineSplitter(maxMessageSize);
    stream.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.lines(this.splitter.push(chunk));
    });
    // The server ending its side ends the session (one connection is one session): nothing written after it
    // could be answered, so the connection counts as ended from here, not from the later 'close'.
    stream.once('end', () => {
      this.lines(this.splitter.end());
      this.finish();
      stream.end();
    });
    stream.on('error', (err) => (this.error ??= err));
    stream.once('close', () => this.finish());
  }

  /** How the connection ended; undefined while it is open. */
  get ended(): ConnectionEnd | undefined {
    return this.end;
  }

  /** Writes a request and resolves with its answer, or how it was lost; never rejects. */
  call(id: JsonRpcId, text: string): Promise<CallOutcome> {
    if (this.end) return Promise.resolve({ kind: 'unsent', end: this.end });
    const key = idKey(id);
    return new Promise((resolve) => {
      this.calls.set(key, resolve);
      this.stream.write(`${text}\n`);
    });
  }

  /** Writes a notification or a response; false when the connection had already ended. */
  send(text: string): boolean {
    if (this.end) return false;
    this.stream.write(`${text}\n`);
    return true;
  }

  /** Ends the conversation (for a stdio app, Teleport stops the server). */
  close(): void {
    this.stream.end();
    // A server that never closes its side must not keep the connection open.
    setTimeout(() => this.stream.destroy(), 1_000).unref();
  }

  private lines(events: ReturnType<LineSplitter['push']>): void {
    for (const event of events) {
      if (event.kind === 'oversize') {
        this.bad(
          peekTopLevelId(event.head.toString('utf8')),
          new BridgeError('SERVER_MESSAGE_TOO_LARGE', `A message from the MCP server exceeded ${this.maxMessageSize} bytes and was dropped.`, { data: { limit: this.maxMessageSize } }),
        );
      } else {
        this.line(event.bytes);
      }
    }
  }

  private line(bytes: Buffer): void {
    let text: string;
    let value: unknown;
    try {
      text = utf8.decode(bytes).trim();
      if (text === '') return;
      value = JSON.parse(text);
    } catch {
      const head = bytes.subarray(0, 200).toString('utf8');
      return this.bad(peekTopLevelId(head), new BridgeError('SERVER_OUTPUT_INVALID', `The MCP server sent a line that is not JSON (${bytes.length} bytes): ${JSON.stringify(head.slice(0, 80))}.`));
    }
    const c = classify(value);
    if (c.kind === 'response') {
      const resolve = this.calls.get(idKey(c.id));
      if (resolve) {
        this.calls.delete(idKey(c.id));
        return resolve({ kind: 'answer', message: c.message, text });
      }
    }
    if (c.kind === 'invalid' && !(typeof value === 'object' && value !== null && 'error' in value)) {
      return this.bad(c.id, new BridgeError('SERVER_OUTPUT_INVALID', `The MCP server sent a message that is not JSON-RPC 2.0: ${c.reason}.`));
    }
    this.events.message(value as JsonRpcMessage, text);
  }

  /** Answers the request a bad line was meant for, when its id is known and pending; reports it either way. */
  private bad(id: JsonRpcId | null, error: BridgeError): void {
    const resolve = id === null ? undefined : this.calls.get(idKey(id));
    if (resolve && id !== null) {
      this.calls.delete(idKey(id));
      resolve({ kind: 'answer', message: errorResponse(id, toJsonRpcError(error)) });
    }
    this.events.badLine(error);
  }

  private finish(): void {
    if (this.end) return;
    const end: ConnectionEnd = { bytesReceived: this.bytesReceived, error: this.error };
    this.end = end;
    for (const resolve of this.calls.values()) resolve({ kind: 'lost', end });
    this.calls.clear();
    this.events.closed(end);
    this.announceEnd(end);
  }
}
