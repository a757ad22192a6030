import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeError, toJsonRpcError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import type { Upstream } from '../upstream/types';
import { withoutServerRequestCapabilities } from './capabilities';
import { Forwarder } from './forwarder';
import { HttpChannel } from './http-channel';
import { decodeLine, oversizeReply } from './inbound';
import { classify, errorResponse, type JsonRpcId, type JsonRpcMessage } from './jsonrpc';
import { DEFAULT_MAX_MESSAGE_SIZE } from './limits';
import { LineSplitter } from './line-splitter';
import { MessageWriter } from './message-writer';
import { ServerMessages } from './server-messages';
import { ServerStream } from './server-stream';
import { McpSession } from './session';

/** How long pending requests may still finish after stdin ends or a signal arrives. */
const SHUTDOWN_GRACE_MS = 2_000;
/** How long each closing step may take: the last answers reaching stdout, the session DELETE, closing connections. */
const CLOSE_BOUND_MS = 1_000;

function bounded(work: Promise<unknown>): Promise<unknown> {
  return Promise.race([work, sleep(CLOSE_BOUND_MS, undefined, { ref: false })]);
}

export interface RelayOptions {
  upstream: Upstream;
  input: Readable;
  output: Writable;
  logger: Logger;
  /** Largest stdin line accepted, in bytes. */
  maxMessageSize?: number;
  /** Re-initialise a session the server lost (tsh's --auto-reconnect). */
  autoReconnect?: boolean;
  /** Forward sampling/elicitation/roots even when the upstream cannot carry server→client requests. */
  keepClientCapabilities?: boolean;
  /** How long a message that cannot reach the server is resent before it fails (restarts); 20 s by default. */
  unreachedRetryMs?: number;
  /** Resolves when the relay should stop (signals); stdin end stops it too. */
  stop?: Promise<void>;
}

/**
 * Relays newline-delimited JSON-RPC on stdio to a Streamable HTTP MCP server until stdin ends or `stop` resolves,
 * then shuts down: pending requests get a bounded grace period and then SHUTTING_DOWN, the session is deleted, the
 * upstream closed. Every client request gets exactly one answer.
 */
export async function runRelay(options: RelayOptions): Promise<void> {
  const relay = new Relay(options);
  await relay.run();
}

class Relay {
  private readonly logger: Logger;
  private readonly writer: MessageWriter;
  private readonly session: McpSession;
  private readonly channel: HttpChannel;
  private readonly serverMessages: ServerMessages;
  private readonly forwarder: Forwarder;
  private readonly serverStream: ServerStream;
  private readonly aborter = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly maxMessageSize: number;
  /** Resolves when pending requests must be answered with SHUTTING_DOWN. */
  /** Requests still waiting, each answered SHUTTING_DOWN if shutdown gives up on it (a Set, not reactions on one
   * long-lived promise: those would pile up for every request ever made). */
  private readonly abandon = new Set<() => void>();
  private strippedLogged = false;

  constructor(private readonly options: RelayOptions) {
    this.logger = options.logger.child('relay');
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.writer = new MessageWriter(options.output);
    this.session = new McpSession(this.logger, options.autoReconnect ?? true, () => this.serverStream.nudge());
    this.channel = new HttpChannel(options.upstream, this.session, this.aborter.signal);
    this.serverMessages = new ServerMessages(this.writer, this.logger);
    this.forwarder = new Forwarder(options.upstream, this.channel, this.session, this.serverMessages, this.logger, options.unreachedRetryMs);
    this.serverStream = new ServerStream(options.upstream, this.channel, this.session, this.serverMessages, this.forwarder.replay, this.logger);
  }

  async run(): Promise<void> {
    await Promise.race([this.readInput(), this.options.stop ?? new Promise(() => undefined)]);
    await this.shutdown();
  }

  private readInput(): Promise<void> {
    const { input } = this.options;
    const splitter = new LineSplitter(this.maxMessageSize);
    return new Promise((resolve) => {
      const onEvents = (events: ReturnType<LineSplitter['push']>) => {
        for (const event of events) {
          if (event.kind === 'oversize') this.track(this.writer.write(oversizeReply(event.head, this.maxMessageSize)));
          else this.handleLine(event.bytes);
        }
      };
      input.on('data', (chunk: Buffer) => onEvents(splitter.push(chunk)));
      input.once('end', () => {
        onEvents(splitter.end());
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

  private handleLine(bytes: Buffer): void {
    const inbound = decodeLine(bytes);
    if (inbound.kind === 'blank') return;
    if (inbound.kind === 'reply') return this.track(this.writer.write(inbound.message));
    if (Array.isArray(inbound.value)) return this.track(this.handleBatch(inbound.value));
    this.track(this.handleSingle(inbound.value, inbound.text));
  }

  private async handleSingle(value: unknown, text: string): Promise<void> {
    const answer = await this.dispatch(value, text);
    if (answer) await this.writer.write(answer.message, answer.text);
  }

  /** Batches were removed from MCP (and Teleport refuses them): each element goes up alone, answers come back as one array. */
  private async handleBatch(values: unknown[]): Promise<void> {
    if (values.length === 0) {
      await this.writer.write(errorResponse(null, toJsonRpcError(new BridgeError('INVALID_REQUEST', 'An empty batch is not a valid JSON-RPC message.'))));
      return;
    }
    const answers = await Promise.all(values.map((value) => this.dispatch(value)));
    const present = answers.filter((a) => a !== undefined).map((a) => a.message);
    if (present.length) await this.writer.write(present);
  }

  /**
   * Forwards one message; resolves with the answer a request needs (or an error) and, when it can be written as
   * is, the JSON text it came in; undefined for other kinds.
   */
  private async dispatch(value: unknown, text?: string): Promise<{ message: JsonRpcMessage; text?: string } | undefined> {
    const c = classify(value);
    switch (c.kind) {
      case 'invalid':
        return { message: errorResponse(c.id, toJsonRpcError(new BridgeError('INVALID_REQUEST', `Not a JSON-RPC 2.0 message: ${c.reason}.`))) };
      case 'request': {
        const work = c.method === 'initialize' ? this.initialize(c.id, c.message) : this.forwarder.request(c.id, c.message, text ?? JSON.stringify(c.message));
        let giveUp!: () => void;
        const shutdownAnswer = new Promise<{ answer: JsonRpcMessage }>((resolve) => {
          giveUp = () =>
            resolve({
              answer: errorResponse(c.id, toJsonRpcError(new BridgeError('SHUTTING_DOWN', `Request ${JSON.stringify(c.id)} was still pending when mcp-bridge shut down.`))),
            });
        });
        this.abandon.add(giveUp);
        try {
          const done: { answer: JsonRpcMessage; text?: string } = await Promise.race([work, shutdownAnswer]);
        return { message: done.answer, text: done.text };
        } finally {
          this.abandon.delete(giveUp);
        }
      }
      case 'notification': {
        const isInitialized = c.method === 'notifications/initialized';
        if (isInitialized) this.session.noteInitializedSent(c.message);
        const delivered = await this.forwarder.oneWay(c.message, text ?? JSON.stringify(c.message), c.method);
        if (isInitialized && delivered) this.serverStream.start();
        return undefined;
      }
      case 'response':
        if (!this.serverMessages.settleClientAnswer(c.id)) {
          this.logger.warn('dropping a response from the client that answers no pending server request', { id: c.id });
          return undefined;
        }
        await this.forwarder.oneWay(c.message, text ?? JSON.stringify(c.message), 'a response to a server request');
        return undefined;
    }
  }

  private async initialize(id: JsonRpcId, message: JsonRpcMessage): Promise<{ answer: JsonRpcMessage }> {
    let sent = message;
    if (!this.options.upstream.carriesServerRequests && !this.options.keepClientCapabilities) {
      const stripped = withoutServerRequestCapabilities(message);
      sent = stripped.message;
      if (stripped.removed.length && !this.strippedLogged) {
        this.strippedLogged = true;
        this.logger.info('hiding client capabilities the upstream cannot carry (use --keep-client-capabilities to keep them)', {
          removed: stripped.removed.join(','),
        });
      }
    }
    this.session.noteInitializeSent(sent);
    const { answer, sessionId } = await this.forwarder.request(id, sent, JSON.stringify(sent));
    this.session.noteInitializeResult(answer, sessionId);
    return { answer };
  }

  private async shutdown(): Promise<void> {
    this.logger.debug('shutting down', { pending: this.pending.size });
    this.options.input.pause();
    const grace = sleep(SHUTDOWN_GRACE_MS, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.pending]), grace]);
    for (const giveUp of this.abandon) giveUp();
    // Answers queue behind a client that stopped reading stdout: they are written if it reads, but never hold the exit.
    await bounded(Promise.allSettled([...this.pending]));
    this.serverStream.stop();
    this.aborter.abort();
    await this.deleteSession();
    await bounded(this.options.upstream.close().catch(() => undefined));
    await bounded(this.writer.flushed());
  }

  private async deleteSession(): Promise<void> {
    if (!this.session.id) return;
    const exchange = await this.channel.delete(AbortSignal.timeout(CLOSE_BOUND_MS));
    if (exchange.ok) {
      await exchange.response.body.dump().catch(() => undefined);
      this.logger.debug('session deleted', { status: exchange.response.status });
    } else {
      this.logger.debug('session delete failed', { error: exchange.failure.error.detail });
    }
  }
}
