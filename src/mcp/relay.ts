import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeError, toJsonRpcError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import type { Upstream } from '../upstream/types';
import { errorResponse, type JsonRpcMessage } from './jsonrpc';
import { DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_OUTPUT_MESSAGE_SIZE } from './limits';
import { repairReply } from './answer-repairs';
import type { Link, LinkSettings, Reply } from './link';
import { openLink } from './open-link';
import { ServerMessages } from './server-messages';
import { envelopeOfValue, type Envelope } from './message/envelope-scanner';
import type { RawMessage } from './message/raw-message';
import { decodeLine } from './stdio/inbound';
import { LineSplitter } from './stdio/line-splitter';
import { MessageWriter } from './stdio/message-writer';

/** How long pending requests may still finish after stdin ends or a signal arrives. */
const SHUTDOWN_GRACE_MS = 2_000;
/** How long each closing step may take: the last answers reaching stdout, closing the link, closing connections. */
const CLOSE_BOUND_MS = 1_000;

function bounded(work: Promise<unknown>): Promise<unknown> {
  return Promise.race([work, sleep(CLOSE_BOUND_MS, undefined, { ref: false })]);
}

export interface RelayOptions extends LinkSettings {
  upstream: Upstream;
  input: Readable;
  output: Writable;
  logger: Logger;
  /** Resolves when the relay should stop (signals); stdin end stops it too. */
  stop?: Promise<void>;
}

/**
 * Relays newline-delimited JSON-RPC on stdio to an MCP server, through the link open-link.ts picks, until stdin ends
 * or `stop` resolves, then shuts down: pending requests get a bounded grace period and then SHUTTING_DOWN, the link
 * is closed (a session is deleted), the upstream closed. Every client request gets exactly one answer.
 */
export async function runRelay(options: RelayOptions): Promise<void> {
  const relay = new Relay(options);
  await relay.run();
}

class Relay {
  private readonly logger: Logger;
  private readonly writer: MessageWriter;
  private readonly link: Link;
  private readonly aborter = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly maxMessageSize: number;
  /** Requests still waiting, each answered SHUTTING_DOWN if shutdown gives up on it (a Set, not reactions on one
   * long-lived promise: those would pile up for every request ever made). */
  private readonly abandon = new Set<() => void>();

  constructor(private readonly options: RelayOptions) {
    this.logger = options.logger.child('relay');
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.writer = new MessageWriter(options.output, this.logger, options.maxOutputMessageSize ?? DEFAULT_MAX_OUTPUT_MESSAGE_SIZE);
    const server = new ServerMessages(this.writer, this.logger);
    this.link = openLink({ upstream: options.upstream, server, logger: this.logger, signal: this.aborter.signal }, options);
  }

  async run(): Promise<void> {
    await Promise.race([this.readInput(), this.options.stop ?? new Promise(() => undefined)]);
    await this.shutdown();
  }

  private readInput(): Promise<void> {
    const { input } = this.options;
    const splitter = new LineSplitter(this.maxMessageSize);
    return new Promise((resolve) => {
      const onLines = (lines: ReturnType<LineSplitter['push']>) => {
        for (const line of lines) this.handleLine(decodeLine(line, this.maxMessageSize));
      };
      input.on('data', (chunk: Buffer) => onLines(splitter.push(chunk)));
      input.once('end', () => {
        onLines(splitter.end());
        resolve();
      });
      input.once('error', (err) => {
        this.logger.warn('stdin failed', { error: err.message });
        resolve();
      });
    });
  }

  private track<T>(work: Promise<T>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private handleLine(inbound: ReturnType<typeof decodeLine>): void {
    if (inbound.kind === 'blank') return;
    if (inbound.kind === 'reply') return this.track(this.writer.write(inbound.message));
    if (inbound.kind === 'batch') return this.track(this.handleBatch(inbound.values));
    this.track(this.handleSingle(fromClient(inbound.raw, inbound.body)));
  }

  private async handleSingle(outgoing: Outgoing): Promise<void> {
    const answer = await this.dispatch(outgoing);
    if (answer?.raw) await this.writer.writeRaw(answer.raw);
    else if (answer) await this.writer.write(answer.message, answer.text);
  }

  /** Batches were removed from MCP (and Teleport refuses them): each element goes up alone, answers come back as one array. */
  private async handleBatch(values: unknown[]): Promise<void> {
    if (values.length === 0) {
      await this.writer.write(errorResponse(null, toJsonRpcError(new BridgeError('INVALID_REQUEST', 'An empty batch is not a valid JSON-RPC message.'))));
      return;
    }
    const answers = await Promise.all(values.map((value) => this.dispatch(parsedFromClient(value))));
    const present = answers.filter((a) => a !== undefined).map((a) => a.message);
    if (present.length) await this.writer.write(present);
  }

  /**
   * Forwards one message, routed by its envelope; resolves with the answer a request needs (or an error), undefined
   * for other kinds.
   */
  private async dispatch(outgoing: Outgoing): Promise<Reply | undefined> {
    const { envelope, body } = outgoing;
    // Read only by the links that need the value (initialize): a large message is never parsed.
    const message = (): JsonRpcMessage => outgoing.message();
    switch (envelope.kind) {
      case 'invalid':
        return { message: errorResponse(envelope.id, toJsonRpcError(new BridgeError('INVALID_REQUEST', `Not a JSON-RPC 2.0 message: ${envelope.reason}.`))) };
      case 'request': {
        const { id, method } = envelope;
        const work = this.link
          .request({ id, method, body, get message() { return message(); } })
          .then((reply) => repairReply(method, reply));
        let giveUp!: () => void;
        const shutdownAnswer = new Promise<Reply>((resolve) => {
          giveUp = () =>
            resolve({
              message: errorResponse(id, toJsonRpcError(new BridgeError('SHUTTING_DOWN', `Request ${JSON.stringify(id)} was still pending when mcp-bridge shut down.`))),
            });
        });
        this.abandon.add(giveUp);
        try {
          return await Promise.race([work, shutdownAnswer]);
        } finally {
          this.abandon.delete(giveUp);
        }
      }
      case 'notification':
        await this.link.notify({ method: envelope.method, body, get message() { return message(); } });
        return undefined;
      case 'response':
      case 'error':
        await this.link.respond({ id: envelope.id, body, get message() { return message(); } });
        return undefined;
    }
  }

  private async shutdown(): Promise<void> {
    this.logger.debug('shutting down', { pending: this.pending.size });
    this.options.input.pause();
    this.link.beginShutdown?.();
    const grace = sleep(SHUTDOWN_GRACE_MS, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.pending]), grace]);
    for (const giveUp of this.abandon) giveUp();
    // Answers queue behind a client that stopped reading stdout: they are written if it reads, but never hold the exit.
    await bounded(Promise.allSettled([...this.pending]));
    this.aborter.abort();
    await bounded(this.link.close().catch(() => undefined));
    await bounded(this.options.upstream.close().catch(() => undefined));
    await bounded(this.writer.flushed());
  }
}

/** A client message ready to route: its envelope, its value on demand, and the body that goes upstream. */
interface Outgoing {
  envelope: Envelope;
  message(): JsonRpcMessage;
  body: string | Buffer;
}

/** A stdin line kept as its bytes. */
function fromClient(raw: RawMessage, body: Buffer): Outgoing {
  return { envelope: raw.envelope, message: () => raw.value() as JsonRpcMessage, body };
}

/** A batch element, already parsed: classified by the same rules, sent re-serialised. */
function parsedFromClient(value: unknown): Outgoing {
  return { envelope: envelopeOfValue(value), message: () => value as JsonRpcMessage, body: JSON.stringify(value) };
}
