import type { Duplex } from 'node:stream';
import { BridgeError, toJsonRpcError } from '../../errors/catalogue';
import { errorResponse, idKey, type JsonRpcId } from '../jsonrpc';
import { rawReply, type Reply } from '../link';
import type { Collected } from '../message/message-collector';
import type { RawMessage } from '../message/raw-message';
import { LineSplitter } from '../stdio/line-splitter';

const NEWLINE = Buffer.from('\n');

/** How a connection ended. */
export interface ConnectionEnd {
  /** Bytes the server sent before the end: 0 means the connection was refused before a word (or never worked). */
  bytesReceived: number;
  /** What the stream failed with, if anything (a TLS alert refusing the client certificate arrives this way). */
  error?: Error;
}

/** What became of a request written (or about to be written) on a connection. */
export type CallOutcome =
  | { kind: 'answer'; reply: Reply }
  /** The connection had ended before the request could be written: nothing reached the server. */
  | { kind: 'unsent'; end: ConnectionEnd }
  /** The connection ended after the request was written and before its answer. */
  | { kind: 'lost'; end: ConnectionEnd };

export interface ConnectionEvents {
  /** A message that answers no call on this connection: notifications, server→client requests, stray responses. */
  message(message: RawMessage): void;
  /** A line that is not JSON-RPC, or too long to read; already answered to its request when its id could be read. */
  badLine(error: BridgeError): void;
  /** The connection ended (once). */
  closed(end: ConnectionEnd): void;
}

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
  call(id: JsonRpcId, body: string | Buffer): Promise<CallOutcome> {
    if (this.end) return Promise.resolve({ kind: 'unsent', end: this.end });
    const key = idKey(id);
    return new Promise((resolve) => {
      this.calls.set(key, resolve);
      this.writeLine(body);
    });
  }

  /** Writes a notification or a response; false when the connection had already ended. */
  send(body: string | Buffer): boolean {
    if (this.end) return false;
    this.writeLine(body);
    return true;
  }

  /**
   * A message and its newline in one write: two writes can leave the newline waiting for the first one's ACK (Nagle
   * and delayed ACK: 40 ms a call) on a stream that does not coalesce corked writes. A large body pays one copy here.
   */
  private writeLine(body: string | Buffer): void {
    this.stream.write(typeof body === 'string' ? `${body}\n` : Buffer.concat([body, NEWLINE]));
  }

  /** Ends the conversation (for a stdio app, Teleport stops the server). */
  close(): void {
    this.stream.end();
    // A server that never closes its side must not keep the connection open.
    setTimeout(() => this.stream.destroy(), 1_000).unref();
  }

  private lines(lines: Collected[]): void {
    for (const line of lines) {
      switch (line.kind) {
        case 'blank':
          break;
        case 'oversize':
          this.bad(
            line.envelope.kind === 'notification' ? null : line.envelope.id,
            new BridgeError('SERVER_MESSAGE_TOO_LARGE', `A message from the MCP server exceeded ${this.maxMessageSize} bytes and was dropped.`, { data: { limit: this.maxMessageSize } }),
          );
          break;
        case 'not-json': {
          const head = line.message.head(200);
          const id = line.message.envelope.kind === 'notification' ? null : line.message.envelope.id;
          this.bad(id, new BridgeError('SERVER_OUTPUT_INVALID', `The MCP server sent a line that is not JSON (${line.message.size} bytes): ${JSON.stringify(head.slice(0, 80))}.`));
          break;
        }
        case 'message':
          this.line(line.message);
      }
    }
  }

  /** A line routed by its envelope: a large answer goes on as the bytes it came in, never parsed. */
  private line(raw: RawMessage): void {
    const { envelope } = raw;
    if (envelope.kind === 'response' || envelope.kind === 'error') {
      const resolve = this.calls.get(idKey(envelope.id));
      if (resolve) {
        this.calls.delete(idKey(envelope.id));
        return resolve({ kind: 'answer', reply: rawReply(raw) });
      }
    }
    if (envelope.kind === 'invalid' && !isErrorWithoutId(raw)) {
      return this.bad(envelope.id, new BridgeError('SERVER_OUTPUT_INVALID', `The MCP server sent a message that is not JSON-RPC 2.0: ${envelope.reason}.`));
    }
    this.events.message(raw);
  }

  /** Answers the request a bad line was meant for, when its id is known and pending; reports it either way. */
  private bad(id: JsonRpcId | null, error: BridgeError): void {
    const resolve = id === null ? undefined : this.calls.get(idKey(id));
    if (resolve && id !== null) {
      this.calls.delete(idKey(id));
      resolve({ kind: 'answer', reply: { message: errorResponse(id, toJsonRpcError(error)) } });
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

/** An error the server could not address (id null: it could not read the request), passed on to be logged. */
function isErrorWithoutId(raw: RawMessage): boolean {
  try {
    const value = raw.value();
    return typeof value === 'object' && value !== null && 'error' in value;
  } catch {
    return false;
  }
}
