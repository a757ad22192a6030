import type { BridgeError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import type { Upstream } from '../upstream/types';
import type { VerdictStore } from './era/verdicts';
import type { JsonRpcId, JsonRpcMessage } from './jsonrpc';
import type { RawMessage } from './message/raw-message';
import type { ServerMessages } from './server-messages';

/**
 * A message from the stdio client: `body` is what goes upstream (the client's own bytes when unchanged), `message`
 * its value, which a large message parses only if read: links read it only where they need to (initialize).
 */
export interface ClientMessage {
  readonly message: JsonRpcMessage;
  readonly body: string | Buffer;
}

export interface ClientRequest extends ClientMessage {
  readonly id: JsonRpcId;
  readonly method: string;
}

export interface ClientNotification extends ClientMessage {
  readonly method: string;
}

/** The client's answer to a request the server sent it (sampling, elicitation, roots, ping). */
export interface ClientResponse extends ClientMessage {
  readonly id: JsonRpcId;
}

/**
 * The one answer to a client request: its response or a JSON-RPC error response, with its JSON text when relayed as
 * is, or as the bytes it arrived in (`raw`: written through untouched, parsed into `message` only if that is read).
 */
export interface Reply {
  readonly message: JsonRpcMessage;
  readonly text?: string;
  readonly raw?: RawMessage;
  /** The failure an error reply stands for, when the link made it (the era logic reads what the server refused). */
  readonly failure?: BridgeError;
}

/** A reply that is the server's own bytes. */
export function rawReply(raw: RawMessage): Reply {
  return {
    raw,
    get message() {
      return raw.value() as JsonRpcMessage;
    },
  };
}

/**
 * One conversation with the MCP server on behalf of the stdio client, whatever carries it: a 2025-era Streamable
 * HTTP session (src/mcp/session/), a byte stream per MCP session (src/mcp/stream/), a stateless 2026-07-28 exchange
 * (src/mcp/modern/), or a translation between the eras (src/mcp/translate/), chosen once the upstream's transport and
 * both sides' eras are known (src/mcp/era/). The relay core (relay.ts) knows only this interface; which link serves a
 * client is decided in one place, open-link.ts. Messages from the server to the client go to the ServerMessages sink
 * the link was opened with.
 */
export interface Link {
  /** Resolves with the answer to a client request; never rejects. */
  request(request: ClientRequest): Promise<Reply>;
  /** Delivers a client notification; failures are logged (there is no one to answer). Never rejects. */
  notify(notification: ClientNotification): Promise<void>;
  /** Delivers the client's answer to a server→client request; never rejects. */
  respond(response: ClientResponse): Promise<void>;
  /**
   * Shutdown begins: requests that never end on their own (a 2026-07-28 `subscriptions/listen`) are answered now
   * instead of holding the relay's grace period for the others.
   */
  beginShutdown?(): void;
  /**
   * Ends the conversation with the server (e.g. deletes the session). Called once, at shutdown, after the relay's
   * signal was aborted; the caller bounds how long it may take.
   */
  close(): Promise<void>;
}

/** What every link is opened with. */
export interface LinkContext {
  upstream: Upstream;
  /** Where messages from the server to the client go (stdout). */
  server: ServerMessages;
  logger: Logger;
  /** Aborted at shutdown: ends requests in flight and the waits between resends. */
  signal: AbortSignal;
}

/** Relay settings a link applies (from the CLI). */
export interface LinkSettings {
  /** Re-initialise a session the server lost (tsh's --auto-reconnect). */
  autoReconnect?: boolean;
  /** Forward sampling/elicitation/roots even when the upstream cannot carry server→client requests. */
  keepClientCapabilities?: boolean;
  /** How long a message that cannot reach the server is resent before it fails (restarts); 20 s by default. */
  unreachedRetryMs?: number;
  /** Largest JSON-RPC message accepted, in bytes: a stdin line, or a line from a stream server. */
  maxMessageSize?: number;
  /** Where the upstream's MCP era is remembered between processes (the user's cache); absent: for this process only. */
  eraStore?: VerdictStore;
  /** Largest message written to stdout, in bytes (0 = none): readers let go of larger answers as they arrive. */
  maxOutputMessageSize?: number;
}
