import { BridgeError, JSONRPC } from '../../errors/catalogue';
import type { Logger } from '../../log/logger';
import { SERVER_REQUEST_CAPABILITIES } from '../capabilities';
import { rpcErrorIn } from '../http/channel';
import type { Replay } from '../http/forwarder';
import type { JsonRpcMessage } from '../jsonrpc';

interface ServerInfo {
  name?: unknown;
  version?: unknown;
}

/**
 * Everything about the Streamable HTTP session in one place (the 2026-07-28 MCP revision drops sessions and
 * initialize, and this module goes with them): the session id and negotiated protocol version sent on every
 * request, the client's initialize as sent upstream, and re-establishing the session when the server lost it.
 */
export class McpSession {
  private sessionId?: string;
  private protocolVersion?: string;
  private initializeMessage?: JsonRpcMessage;
  private initializedNotification?: JsonRpcMessage;
  private serverInfo?: ServerInfo;
  private renewal?: Promise<void>;
  /** The server lost the session and a new one is not in place yet (a replay failed or is under way). */
  private stale = false;
  /** Set when re-establishing failed for good; every later request gets this error. */
  private lost?: BridgeError;
  /** Incremented on each new session so the GET stream knows to reopen. */
  generation = 0;

  constructor(
    private readonly logger: Logger,
    private readonly autoReconnect: boolean,
    /** Told when a new session replaced a lost one (the GET stream reopens at once). */
    private readonly onRenewed: () => void = () => undefined,
  ) {}

  get id(): string | undefined {
    return this.sessionId;
  }

  /** The initialize sent upstream declared sampling, elicitation or roots: the server may send requests. */
  get invitesServerRequests(): boolean {
    const capabilities = (this.initializeMessage?.params as { capabilities?: Record<string, unknown> } | undefined)?.capabilities ?? {};
    return SERVER_REQUEST_CAPABILITIES.some((name) => name in capabilities);
  }

  get failure(): BridgeError | undefined {
    return this.lost;
  }

  /** Protocol headers for the next request. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    return headers;
  }

  noteInitializeSent(message: JsonRpcMessage): void {
    this.initializeMessage = message;
  }

  noteInitializedSent(message: JsonRpcMessage): void {
    this.initializedNotification = message;
  }

  /** Records what the server's initialize answer established. */
  noteInitializeResult(response: JsonRpcMessage, sessionId: string | undefined): void {
    const result = response.result as { protocolVersion?: unknown; serverInfo?: ServerInfo } | undefined;
    if (!result) return;
    if (sessionId) this.sessionId = sessionId;
    if (typeof result.protocolVersion === 'string') this.protocolVersion = result.protocolVersion;
    this.serverInfo ??= result.serverInfo;
    this.generation++;
  }

  /**
   * A 404 to a request that carried a session id, or a 400 whose body says the session is unknown. A 404 carrying a
   * JSON-RPC "method not found" is a 2026-07-28 server's answer to an unknown method, not a lost session.
   */
  isSessionGone(status: number, body: string, sentSessionId: string | undefined): boolean {
    if (!sentSessionId) return false;
    if (status === 404) return rpcErrorIn(body)?.code !== JSONRPC.METHOD_NOT_FOUND;
    return status === 400 && /no valid session|session not found|invalid session id|unknown session/i.test(body);
  }

  /**
   * Starts a new session after the server lost `staleId`: replays the client's initialize and initialized, checks
   * the server is the same one. Concurrent callers share one attempt; a caller whose session was already replaced
   * returns at once.
   */
  async reestablish(staleId: string | undefined, replay: Replay): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.renewal) return this.renewal;
    if (!this.stale && staleId !== this.sessionId) return;
    if (!this.autoReconnect || !this.initializeMessage) {
      throw new BridgeError('SESSION_LOST', 'The server no longer knows this session and automatic reconnection is off (--no-auto-reconnect).');
    }
    this.renewal = this.replay(replay).finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  /** Call before sending: waits for a renewal under way, or retries one that failed earlier. */
  async beforeSend(replay: Replay): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.renewal) return this.renewal;
    if (this.stale) return this.reestablish(undefined, replay);
  }

  private async replay(replay: Replay): Promise<void> {
    this.logger.info('session lost on the server; re-initialising');
    this.sessionId = undefined;
    this.stale = true;
    const { response, sessionId } = await replay(this.initializeMessage!).catch((err: unknown) => {
      throw new BridgeError('SESSION_LOST', `Re-initialising failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    const info = (response?.result as { serverInfo?: ServerInfo } | undefined)?.serverInfo;
    if (!response || !info) throw new BridgeError('SESSION_LOST', 'The server did not answer the replayed initialize with a result.');
    if (info.name !== this.serverInfo?.name || info.version !== this.serverInfo?.version) {
      this.lost = new BridgeError(
        'SERVER_CHANGED',
        `Server was ${String(this.serverInfo?.name)} ${String(this.serverInfo?.version)}, is now ${String(info.name)} ${String(info.version)}.`,
      );
      throw this.lost;
    }
    this.noteInitializeResult(response, sessionId);
    if (this.initializedNotification) await replay(this.initializedNotification);
    this.stale = false;
    this.logger.info('session re-established');
    this.onRenewed();
  }
}
