import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

/** Why a request failed before reaching the MCP server, in a way that fresh credentials might fix. */
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
 * Where the relay sends its messages. The relay (src/mcp) knows only this interface: `--url` mode
 * (src/upstream/direct.ts) and the Teleport path (src/teleport/app-upstream.ts) implement it.
 */
export interface Upstream {
  /** Which of the two the server needs; known once ready() resolved (Teleport learns it from the app's URI). */
  transport(): UpstreamTransport;
  /** Endpoint for POST, GET and DELETE. */
  readonly url: URL;
  /** Headers added to every request (from -H), already validated. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * False when the path cannot carry server→client requests (Teleport's App Service today), so the relay hides
   * the sampling/elicitation/roots capabilities by default.
   */
  readonly carriesServerRequests: boolean;
  /**
   * Resolves when the first connection material is ready; rejects with a BridgeError. The work starts when the
   * upstream is created, so it overlaps with the MCP client's start-up.
   */
  ready(): Promise<void>;
  /** The dispatcher for the next request. It changes when credentials rotate; old ones drain, then close. */
  dispatcher(): Dispatcher;
  /**
   * A new connection for one MCP session (transport 'stream'), with the newest credentials; a renewal never cuts a
   * live one. Its bytes are the session's newline-delimited JSON-RPC, both ways; it ends when the session does
   * (server exit, idle timeout, proxy restart). Rejects with a BridgeError (its cause keeps the TLS error for recover()).
   */
  openStream(): Promise<Duplex>;
  /**
   * Called when a request was refused before reaching the server (e.g. proxy 403 "invalid session", TLS handshake
   * rejected for an expired certificate, a stream closed without a byte). Resolves true when new credentials are in place and the request should
   * be retried once; false when this failure is not the upstream's to fix. Concurrent callers share one refresh.
   */
  recover(failure: UpstreamFailure): Promise<boolean>;
  /** Drains and closes every connection. */
  close(): Promise<void>;
}
