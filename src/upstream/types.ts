import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { BridgeError } from '../errors/catalogue';

/**
 * Why a request failed before reaching the MCP server, in a way the upstream might fix: a status from the path in
 * front of the server (e.g. the proxy's 403, or a bare 500 without an error-origin header), a refused handshake, or a
 * stream that closed without a byte.
 */
export type UpstreamFailure =
  | { kind: 'status'; status: number; body: string; headers: Record<string, string | string[] | undefined> }
  | { kind: 'tls'; error: Error }
  /** A stream closed before a single byte came back (how Teleport's proxy refuses an unknown or expired app session). */
  | { kind: 'stream-closed' };

/**
 * How the relay reaches the MCP server: HTTP requests through dispatcher() (Streamable HTTP), or one byte stream of
 * newline-delimited JSON-RPC per MCP session from openStream() (Teleport's stdio and SSE apps).
 */
export type UpstreamTransport = 'http' | 'stream';

/**
 * What the upstream makes of a failure (see Upstream.recoverFrom). The contract, for every request the relay sends:
 *
 * - `retry`: new connection material is in place and was checked to be accepted (or the refusal came from material
 *   already replaced): send the request again now. The relay asks at most once per request for a `retry`.
 * - `resend`: the request certainly did not reach the MCP server and the cause is outside this process (e.g. the
 *   Teleport App Service is unreachable, so even a fresh app session is refused): the relay resends it with back-off
 *   inside its bounded window (asking recoverFrom again after each further failure, which never reissues more than
 *   its rate limit allows), and when the window is spent answers with `error`, which names the cause.
 * - `fail`: the request did not reach the MCP server and cannot succeed as things are (e.g. the app is gone):
 *   answer it with `error` at once.
 * - `not-mine`: nothing this upstream knows about: the relay classifies the failure itself (statuses, gateway
 *   texts, may-have-run).
 *
 * `reason` is a short, secret-free phrase for logs.
 */
export type RecoveryVerdict =
  | { action: 'retry'; reason: string }
  | { action: 'resend'; reason: string; error: BridgeError }
  | { action: 'fail'; reason: string; error: BridgeError }
  | { action: 'not-mine' };

/**
 * Where the relay sends its messages. The relay (src/mcp) knows only this interface: `--url` mode
 * (src/upstream/direct.ts) and the Teleport path (src/teleport/app-upstream.ts) implement it.
 */
export interface Upstream {
  /** Which of the two the server needs; known once ready() resolved (Teleport learns it from the app's URI). */
  transport(): UpstreamTransport;
  /** Endpoint for POST, GET and DELETE. */
  readonly url: URL;
  /**
   * Names the MCP server behind this upstream the same way in every process (the URL; through Teleport, proxy and
   * app: every app shares the proxy's URL), for what is remembered about it between processes (its MCP era).
   */
  readonly cacheKey: string;
  /** Headers added to every request (from -H), already validated. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * False when the path cannot carry server→client requests (Teleport's App Service today), so the relay hides
   * the sampling/elicitation/roots capabilities by default.
   */
  readonly carriesServerRequests: boolean;
  /**
   * Resolves when the first connection material is ready; rejects with a BridgeError. The first call starts the work
   * (nothing is read or dialed before something needs the server); after a failure the next call tries again.
   */
  ready(): Promise<void>;
  /** The dispatcher for the next request. It changes when credentials rotate; old ones drain, then close. */
  dispatcher(): Dispatcher;
  /**
   * A new connection for one MCP session (transport 'stream'), with the newest credentials; a renewal never cuts a
   * live one. Its bytes are the session's newline-delimited JSON-RPC, both ways; it ends when the session does
   * (server exit, idle timeout, proxy restart). Rejects with a BridgeError (its cause keeps the TLS error for recoverFrom()).
   */
  openStream(): Promise<Duplex>;
  /**
   * Called when a request failed in a way the path in front of the server may explain (a 403, a bare 500, a TLS
   * handshake refused for an expired certificate): what the relay should do, per RecoveryVerdict above. Concurrent
   * callers share one recovery.
   */
  recoverFrom(failure: UpstreamFailure): Promise<RecoveryVerdict>;
  /**
   * What on this path loses large answers, as a phrase for error messages (Teleport's App Service: its SSE line
   * limit and JSON cap); undefined when nothing is known. An answer that ends before its response is then most
   * likely a result over that limit.
   */
  readonly answerLimits?: string;
  /** Drains and closes every connection. */
  close(): Promise<void>;
}
