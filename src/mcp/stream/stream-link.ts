import { BridgeError, asBridgeError, toJsonRpcError, type ErrorTag, shuttingDownError } from '../../errors/catalogue';
import type { Logger } from '../../log/logger';
import { classifyTlsFailure, failureCode } from '../../tls/failure';
import type { UpstreamFailure } from '../../upstream/types';
import { InitializeFilter } from '../capabilities';
import type { Replay } from '../http/forwarder';
import { RetryWindow } from '../http/retry-window';
import { classify, errorResponse, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../limits';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, LinkSettings, Reply } from '../link';
import type { RawMessage } from '../message/raw-message';
import { McpSession } from '../session/session';
import { StreamConnection, type ConnectionEnd } from './connection';

/** Failures to reach the server at all (nothing was delivered): resent with back-off within the retry window. */
const UNREACHED = new Set<ErrorTag>(['PROXY_UNREACHABLE', 'HTTP_PROXY_FAILED', 'UPSTREAM_UNREACHABLE']);

/** A connection that ended before the server said a word: refused (an app session or certificate not accepted) or down. */
class Refused extends Error {
  constructor(readonly end: ConnectionEnd) {
    super(`the connection closed before the server sent anything${end.error ? ` (${failureCode(end.error)})` : ''}`);
  }
}

/** The one-time credential recovery a message has spent, and its resends while the server could not be reached. */
interface Spent {
  recovered: boolean;
  unreached?: RetryWindow;
  /** Connections that ended after their handshake but before the message could be written. */
  unsent: number;
}

/** A connection that keeps ending right after the replayed handshake: re-dialled with back-off, not in a tight loop. */
class EndedBeforeWrite extends BridgeError {
  constructor() {
    super('SESSION_LOST', 'The new connection to the MCP server ended each time before the message could be written.');
  }
}

type Verdict = { retry: true } | { retry: false; error: BridgeError };

const refusesCertificate = (err: unknown) => ['client-cert-expired', 'client-cert-rejected'].includes(classifyTlsFailure(err));

/**
 * MCP over a byte stream per session (Teleport's stdio and SSE apps, ALPN teleport-mcp): newline-delimited JSON-RPC
 * both ways on a connection from upstream.openStream(), one connection being one MCP session. A connection that ends
 * (server exit, idle timeout, lock, certificate expiry, proxy restart) is replaced on the next message: the new one
 * gets the newest credentials, and the client's initialize and initialized are replayed first, with the serverInfo
 * check. Requests written on a connection that died get MAY_HAVE_RUN; those not yet written go on the new one. A
 * connection closed before a single byte is a refusal: credentials are recovered once, then it is retried with
 * back-off within the retry window (a restarting App Service), then STREAM_REFUSED.
 */
export class StreamLink implements Link {
  private readonly logger: Logger;
  private readonly session: McpSession;
  private readonly initializeFilter: InitializeFilter;
  private readonly maxMessageSize: number;
  private current?: StreamConnection;
  private dialing?: Promise<StreamConnection>;
  /** The client's initialize was answered: every new connection starts by replaying it. */
  private handshakeDone = false;

  constructor(
    private readonly context: LinkContext,
    private readonly settings: LinkSettings,
  ) {
    this.logger = context.logger;
    this.session = new McpSession(this.logger, settings.autoReconnect ?? true);
    this.initializeFilter = new InitializeFilter(context.upstream, settings.keepClientCapabilities ?? false, this.logger);
    this.maxMessageSize = settings.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  // The messages' values are read only for initialize and initialized: a large message goes up as its bytes.
  async request(request: ClientRequest): Promise<Reply> {
    const { id } = request;
    try {
      if (request.method !== 'initialize') return await this.exchange(id, request.body);
      const message = request.message;
      const sent = this.initializeFilter.apply(message);
      this.session.noteInitializeSent(sent);
      const reply = await this.exchange(id, sent === message ? request.body : JSON.stringify(sent));
      if (reply.message.result !== undefined) {
        this.session.noteInitializeResult(reply.message, undefined);
        this.handshakeDone = true;
      }
      return reply;
    } catch (err) {
      return { message: errorResponse(id, toJsonRpcError(err)) };
    }
  }

  async notify(notification: ClientNotification): Promise<void> {
    // Noted after it went out: a connection dialled for it replays the initialize alone, then this is sent once.
    const delivered = await this.oneWay(notification.body, notification.method);
    if (delivered && notification.method === 'notifications/initialized') this.session.noteInitializedSent(notification.message);
  }

  async respond(response: ClientResponse): Promise<void> {
    if (!this.context.server.settleClientAnswer(response.id)) {
      this.logger.warn('dropping a response from the client that answers no pending server request', { id: response.id });
      return;
    }
    await this.oneWay(response.body, 'a response to a server request');
  }

  async close(): Promise<void> {
    const conn = this.current;
    this.current = undefined;
    if (!conn) return;
    conn.close();
    await conn.finished;
  }

  /** Writes a request and brings back its answer, following the recovery rules above. */
  private async exchange(id: JsonRpcId, body: string | Buffer): Promise<Reply> {
    const spent: Spent = { recovered: false, unsent: 0 };
    for (;;) {
      let verdict: Verdict;
      try {
        const outcome = await (await this.connected()).call(id, body);
        if (outcome.kind === 'answer') return outcome.reply;
        if (outcome.end.bytesReceived === 0) throw new Refused(outcome.end);
        // A session that ended before the write: nothing was delivered, so the next connection gets it.
        if (outcome.kind === 'unsent') {
          if (spent.unsent++ === 0) continue;
          throw new EndedBeforeWrite();
        }
        const why = outcome.end.error ? ` (${failureCode(outcome.end.error)})` : '';
        return {
          message: errorResponse(
            id,
            toJsonRpcError(
              new BridgeError(
                'MAY_HAVE_RUN',
                `The connection to the MCP server ended after the request was sent, before its answer${why}: the server exited, or the session was closed (idle timeout, lock, certificate expiry, restart).`,
              ),
            ),
          ),
        };
      } catch (err) {
        verdict = await this.onFailure(err, spent);
      }
      if (!verdict.retry) return { message: errorResponse(id, toJsonRpcError(verdict.error)) };
    }
  }

  /** Delivers a notification or a response; failures are logged (there is no one to answer). */
  private async oneWay(body: string | Buffer, what: string): Promise<boolean> {
    const spent: Spent = { recovered: false, unsent: 0 };
    for (;;) {
      try {
        const conn = await this.connected();
        if (conn.send(body)) return true;
        if (conn.ended?.bytesReceived === 0) throw new Refused(conn.ended);
        if (spent.unsent++ > 0) throw new EndedBeforeWrite();
      } catch (err) {
        const verdict = await this.onFailure(err, spent);
        if (!verdict.retry) {
          this.logger.warn(`could not deliver ${what} upstream`, { error: verdict.error.message });
          return false;
        }
      }
    }
  }

  /** Whether a failure to get a message through is worth another try, and what to answer when it is not. */
  private async onFailure(err: unknown, spent: Spent): Promise<Verdict> {
    if (this.context.signal.aborted) return { retry: false, error: shuttingDownError() };
    const refused = err instanceof Refused ? err : (err as { cause?: unknown }).cause instanceof Refused ? ((err as { cause: Refused }).cause) : undefined;
    if (refused || refusesCertificate(err)) {
      const tlsError = refused?.end.error ?? (refused ? undefined : (err as Error));
      const failure: UpstreamFailure = tlsError && refusesCertificate(tlsError) ? { kind: 'tls', error: tlsError } : { kind: 'stream-closed' };
      if (!spent.recovered) {
        spent.recovered = true;
        if ((await this.context.upstream.recoverFrom(failure)).action === 'retry') return { retry: true };
      }
      const error = refused
        ? new BridgeError('STREAM_REFUSED', `The MCP connection was refused: ${refused.message}.`, { cause: refused.end.error })
        : asBridgeError(err);
      return this.resend(error, spent);
    }
    const error = asBridgeError(err);
    if (UNREACHED.has(error.tag) || err instanceof EndedBeforeWrite) return this.resend(error, spent);
    return { retry: false, error };
  }

  private async resend(error: BridgeError, spent: Spent): Promise<Verdict> {
    spent.unreached ??= new RetryWindow(this.settings.unreachedRetryMs);
    if (!(await spent.unreached.wait(this.context.signal))) return { retry: false, error: spent.unreached.exhausted(error) };
    this.logger.debug('the message did not reach the server; trying a new connection', { error: error.detail });
    return { retry: true };
  }

  /** The open connection, or a new one (with the handshake replayed) shared by every message waiting for it. */
  private connected(): Promise<StreamConnection> {
    if (this.current && !this.current.ended) return Promise.resolve(this.current);
    this.dialing ??= this.dial().finally(() => {
      this.dialing = undefined;
    });
    return this.dialing;
  }

  private async dial(): Promise<StreamConnection> {
    const stream = await this.context.upstream.openStream();
    const conn: StreamConnection = new StreamConnection(stream, this.maxMessageSize, {
      message: (raw) => this.fromServer(raw),
      badLine: (error) => this.logger.warn('dropped a line from the MCP server', { error: error.message }),
      closed: (end) => this.connectionEnded(conn, end),
    });
    if (this.handshakeDone) {
      try {
        await this.session.reestablish(undefined, this.replayOn(conn));
      } catch (err) {
        conn.close();
        throw err;
      }
    }
    this.current = conn;
    return conn;
  }

  /** Sends the client's initialize (and initialized) again on a new connection, outside the client's view. */
  private replayOn(conn: StreamConnection): Replay {
    return async (message) => {
      const c = classify(message);
      const text = JSON.stringify(message);
      if (c.kind !== 'request') {
        if (!conn.send(text)) throw conn.ended?.bytesReceived === 0 ? new Refused(conn.ended) : new Error('the new connection ended during the replay');
        return {};
      }
      const outcome = await conn.call(c.id, text);
      if (outcome.kind !== 'answer') throw outcome.end.bytesReceived === 0 ? new Refused(outcome.end) : new Error('the new connection ended during the replayed initialize');
      const response = outcome.reply.message;
      const error = response.error as { message?: unknown } | undefined;
      if (error) throw new Error(`the server answered the replayed initialize with an error: ${String(error.message)}`);
      return { response };
    };
  }

  private connectionEnded(conn: StreamConnection, end: ConnectionEnd): void {
    if (this.current !== conn) return;
    this.current = undefined;
    this.logger.info('the MCP connection ended; the next message opens a new one', {
      bytesReceived: end.bytesReceived,
      ...(end.error ? { error: failureCode(end.error) } : {}),
    });
  }

  /** Messages that answer nothing of ours: notifications and server→client requests go to the client. */
  private fromServer(raw: RawMessage): void {
    const { envelope } = raw;
    if (envelope.kind === 'request' || envelope.kind === 'notification') {
      void this.context.server.deliverRaw(raw);
      return;
    }
    if (envelope.kind === 'response') {
      this.logger.debug('dropping a response that answers no pending request', { id: String(envelope.id) });
      return;
    }
    // An error outside any request (errors are small: its value is read to log what the server said).
    const error = ((raw.value() as JsonRpcMessage).error ?? {}) as { code?: unknown; message?: unknown };
    this.logger.warn('the server reported an error outside any request', { code: String(error.code), message: String(error.message) });
  }
}
