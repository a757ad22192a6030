import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/logger';
import { InitializeFilter } from '../capabilities';
import { HttpChannel } from '../http/channel';
import { Forwarder, type ProtocolHooks } from '../http/forwarder';
import type { JsonRpcMessage } from '../jsonrpc';
import { DEFAULT_MAX_OUTPUT_MESSAGE_SIZE } from '../limits';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, LinkSettings, Reply } from '../link';
import { ServerStream } from './server-stream';
import { McpSession } from './session';

/** How long the session DELETE may take at shutdown. */
const CLOSE_BOUND_MS = 1_000;
/** How long messages after `notifications/initialized` wait for the server to answer the GET stream's first request. */
const STREAM_OPENING_MS = 2_000;

/**
 * A 2025-era Streamable HTTP session (MCP 2025-03-26 … 2025-11-25): `initialize` opens it (the client's
 * sampling/elicitation/roots hidden when the upstream cannot carry server→client requests), every message is a POST
 * carrying the session id, a GET stream carries server-initiated messages after `notifications/initialized`, a
 * lost session is re-established by replaying the client's initialize, and DELETE ends it.
 */
export class SessionLink implements Link {
  private readonly logger: Logger;
  private readonly session: McpSession;
  private readonly channel: HttpChannel;
  private readonly forwarder: Forwarder;
  private readonly serverStream: ServerStream;
  private readonly initializeFilter: InitializeFilter;
  /**
   * Set from `notifications/initialized` until the server answered the GET stream's first request (bounded): a
   * server sends what is not tied to a request (an elicitation a tool asks with no related request, list changes)
   * on that stream and drops it while none is open, so the client's next messages wait, in order, until it is.
   */
  private streamOpening?: Promise<void>;

  constructor(
    private readonly context: LinkContext,
    settings: LinkSettings,
  ) {
    const { upstream, server, signal } = context;
    this.logger = context.logger;
    this.session = new McpSession(this.logger, settings.autoReconnect ?? true, () => this.serverStream.nudge());
    this.channel = new HttpChannel(upstream, () => this.session.headers(), signal);
    const maxOutputMessageSize = settings.maxOutputMessageSize ?? DEFAULT_MAX_OUTPUT_MESSAGE_SIZE;
    this.forwarder = new Forwarder(upstream, this.channel, this.hooks(), server, this.logger, settings.unreachedRetryMs, maxOutputMessageSize);
    this.serverStream = new ServerStream(upstream, this.channel, this.session, server, this.forwarder.replay, this.logger, maxOutputMessageSize);
    this.initializeFilter = new InitializeFilter(upstream, settings.keepClientCapabilities ?? false, this.logger);
  }

  private hooks(): ProtocolHooks {
    const session = this.session;
    return {
      beforeSend: () => session.beforeSend(this.forwarder.replay),
      repair: async (response, body) => {
        if (!session.isSessionGone(response.status, body, response.sentSessionId)) return false;
        await session.reestablish(response.sentSessionId, this.forwarder.replay);
        return true;
      },
      get invitesServerRequests() {
        return session.invitesServerRequests;
      },
      headersFor: () => ({}),
    };
  }

  // The messages' values are read only for initialize and initialized: a large message goes up as its bytes.
  async request(request: ClientRequest): Promise<Reply> {
    if (request.method === 'initialize') return this.initialize(request.id, request.message);
    if (this.streamOpening) await this.streamOpening;
    return (await this.forwarder.request(request.id, request)).answer;
  }

  async notify(notification: ClientNotification): Promise<void> {
    if (notification.method === 'notifications/initialized') return this.initialized(notification);
    if (this.streamOpening) await this.streamOpening;
    await this.forwarder.oneWay(notification, notification.method);
  }

  async respond(response: ClientResponse): Promise<void> {
    if (this.streamOpening) await this.streamOpening;
    if (!this.context.server.settleClientAnswer(response.id)) {
      this.logger.warn('dropping a response from the client that answers no pending server request', { id: response.id });
      return;
    }
    await this.forwarder.oneWay(response, 'a response to a server request');
  }

  /** Delivers `notifications/initialized`, then opens the GET stream; later messages wait for its first answer. */
  private async initialized(notification: ClientNotification): Promise<void> {
    this.session.noteInitializedSent(notification.message);
    let answered!: () => void;
    const opening = new Promise<void>((resolve) => (answered = resolve));
    const bounded = Promise.race([opening, sleep(STREAM_OPENING_MS, undefined, { ref: false })]);
    this.streamOpening = bounded;
    void bounded.then(() => {
      if (this.streamOpening === bounded) this.streamOpening = undefined;
    });
    if (await this.forwarder.oneWay(notification, 'notifications/initialized')) this.serverStream.start(answered);
    else answered();
  }

  async close(): Promise<void> {
    this.serverStream.stop();
    if (!this.session.id) return;
    const exchange = await this.channel.delete(AbortSignal.timeout(CLOSE_BOUND_MS));
    if (exchange.ok) {
      await exchange.response.body.dump().catch(() => undefined);
      this.logger.debug('session deleted', { status: exchange.response.status });
    } else {
      this.logger.debug('session delete failed', { error: exchange.failure.error.detail });
    }
  }

  private async initialize(id: ClientRequest['id'], message: JsonRpcMessage): Promise<Reply> {
    const sent = this.initializeFilter.apply(message);
    this.session.noteInitializeSent(sent);
    const { answer, sessionId } = await this.forwarder.request(id, { message: sent, body: JSON.stringify(sent) });
    this.session.noteInitializeResult(answer.message, sessionId);
    return answer;
  }
}
