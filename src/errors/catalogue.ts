/**
 * The one error catalogue: every failure mcp-bridge reports carries one of these tags. The relay puts the tag in
 * JSON-RPC error messages, the CLI and doctor print cause and fix, and the README's table is generated from here
 * (test/errors/catalogue.test.ts keeps them in sync).
 */
export interface CatalogueEntry {
  /** What went wrong, in one sentence a user recognises. */
  cause: string;
  /** What to do about it. */
  fix: string;
  /** JSON-RPC error code used when this failure answers a request. */
  code: number;
}

/** JSON-RPC 2.0 codes, plus the implementation-defined range used for bridge failures. */
export const JSONRPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** -32000..-32099 is reserved for implementation-defined server errors. */
  BRIDGE_ERROR: -32000,
} as const;

const entry = (cause: string, fix: string, code: number = JSONRPC.BRIDGE_ERROR): CatalogueEntry => ({ cause, fix, code });

export const CATALOGUE = {
  IDENTITY_UNREADABLE: entry(
    'The identity files could not be read (missing, empty, permissions, or not written yet).',
    'Check the -i path points at the tbot destination directory or its identity file, that tbot has run, and that this user can read it.',
  ),
  IDENTITY_INVALID: entry(
    'The identity files are corrupt, truncated or incomplete (cut-off PEM, no key, no certificate, no CA).',
    'Let tbot finish writing (it rewrites files in place); if it persists, restart tbot or point -i at a complete output.',
  ),
  KEY_MISMATCH: entry(
    "The private key does not match the certificate's public key.",
    'The files come from two different renewals; wait for tbot to finish writing, or re-run tbot.',
  ),
  IDENTITY_EXPIRED: entry(
    'The identity certificate has expired.',
    'tbot is not renewing: check that tbot is running and can reach the cluster (its logs say why), then retry; mcp-bridge picks up the renewed files by itself.',
  ),
  IDENTITY_STALE: entry(
    'tbot has not renewed the identity files on schedule (they are older than its renewal interval allows, or the certificate is close to expiry).',
    'Check that tbot is running and can reach the cluster (its logs say why renewals fail); mcp-bridge picks up renewed files by itself.',
  ),
  IDENTITY_NOT_YET_VALID: entry(
    'The identity certificate is not valid yet.',
    "Check this machine's clock (NTP).",
  ),
  PROXY_UNREACHABLE: entry(
    'The Teleport Proxy could not be reached.',
    'Check --proxy (host:port of the web address, usually :443), DNS, firewalls and HTTPS_PROXY/NO_PROXY.',
  ),
  PROXY_ERROR: entry(
    'The Teleport Proxy answered with an error.',
    'Check --proxy points at the Teleport web address and that the cluster is v18.3 or later.',
  ),
  HTTP_PROXY_FAILED: entry(
    'The proxy from HTTPS_PROXY/HTTP_PROXY (HTTP, HTTPS or SOCKS5) could not be reached, was not trusted, or refused the tunnel.',
    'Check HTTPS_PROXY (http://, https:// or socks5://[user:password@]host:port), its credentials, that it allows tunnels to this host and port (NODE_EXTRA_CA_CERTS for an https:// proxy with a private CA), or exempt the host with NO_PROXY.',
  ),
  CONN_UPGRADE_UNSUPPORTED: entry(
    'The Teleport Proxy is behind an L7 load balancer (TLS routing does not survive it) and does not offer the connection upgrade (/webapi/connectionupgrade answered 404: Teleport older than v13).',
    'Upgrade the cluster, or let the load balancer pass TLS through (TCP/L4) so ALPN routing works; TELEPORT_TLS_ROUTING_CONN_UPGRADE=false skips the upgrade.',
  ),
  TLS_VERIFY_FAILED: entry(
    "The server's TLS certificate could not be verified.",
    "Pass the CA that signed the proxy's web certificate with --ca FILE (self-signed or private CA); --insecure skips verification for testing only.",
  ),
  AUTH_UNREACHABLE: entry(
    'The Teleport Auth Service could not be reached through the proxy.',
    'Check that the proxy has TLS routing enabled and that the identity is for this cluster (its Host CA must sign the Auth Service certificate).',
  ),
  AUTH_ERROR: entry(
    'The Teleport Auth Service answered a request with an error.',
    'See the detail (the Auth Service message); check the cluster runs Teleport v18.3 or later and the identity belongs to it.',
  ),
  ACCESS_DENIED: entry(
    'Teleport denied the request.',
    "Check the bot's roles allow this app (app_labels) and that the identity belongs to this cluster.",
  ),
  REISSUE_DENIED: entry(
    'The identity is not allowed to reissue certificates, so no app certificate can be obtained from it.',
    "Set `allow_reissue: true` on tbot's identity service, or use a tbot `application` service output for this app.",
  ),
  APP_NOT_FOUND: entry(
    'No MCP app with this name is visible to this identity.',
    "Check the name with `mcp-bridge ls`, and that the bot's roles match the app's labels (app_labels).",
  ),
  APP_NOT_MCP: entry(
    'The app exists but is not an MCP server (its URI does not start with mcp+).',
    "Pick an MCP app from `mcp-bridge ls`; MCP apps have URIs like mcp+http://host:port/mcp.",
  ),
  MFA_REQUIRED: entry(
    'Access to this app requires per-session MFA, which a machine identity cannot perform.',
    "Change the role's require_session_mfa for this app, or use a role without it for the bot.",
  ),
  APP_CERT_FAILED: entry(
    'An app certificate could not be obtained.',
    'See the detail; check the bot can access the app and that tbot is renewing its identity.',
  ),
  CLIENT_CERT_REJECTED: entry(
    'The server refused the client certificate during the TLS handshake.',
    'Check that --cert/--key (or -i) hold a current identity the server trusts and that tbot is renewing it; in --url mode check which CA the server requires of clients.',
  ),
  UPSTREAM_STATUS: entry(
    'The MCP server (or the proxy in front of it) answered with an HTTP error.',
    'See the status and detail; check the app is healthy and reachable from the Teleport App Service.',
  ),
  APP_SERVICE_UNREACHABLE: entry(
    'The Teleport App Service serving the app is not reachable (restarting, upgrading or unhealthy): the proxy refuses even a freshly issued app session, so nothing reached the MCP server.',
    'Retry shortly; if it persists, check the App Service that serves the app (its logs, `tctl get app_servers`) rather than the bot\'s credentials.',
  ),
  UPSTREAM_UNREACHABLE: entry(
    'The MCP server could not be reached.',
    'Check the server is running; through Teleport, check the App Service can reach the app URI.',
  ),
  MAY_HAVE_RUN: entry(
    'The connection was lost after the request was sent and before its answer arrived; the call may or may not have run.',
    'Check whether the action took effect before retrying a non-idempotent call.',
  ),
  RESPONSE_TOO_LARGE: entry(
    "The answer ended before its response, most likely because the result was larger than the path passes (Teleport's App Service drops an SSE result line over 64 KiB, 1 MiB or 10 MiB depending on its version, and refuses JSON answers over 10 MiB); the call may have run.",
    'Ask for smaller results (narrower queries, pagination), or serve the MCP server with JSON responses instead of SSE (Teleport passes those up to 10 MiB); check whether a non-idempotent call took effect before retrying.',
  ),
  SESSION_LOST: entry(
    'The MCP session ended on the server and could not be re-established.',
    'Restart the MCP client; if it repeats, check the server logs.',
  ),
  SERVER_CHANGED: entry(
    'After a reconnect the server reported a different name or version than before.',
    'Restart the MCP client so it sees the new server and its tools.',
  ),
  STREAM_REFUSED: entry(
    'The Teleport Proxy closed the MCP connection of a stdio or SSE app without a byte, even with a new app certificate (how it refuses an unknown or expired app session, or an App Service it cannot reach).',
    'Check that an App Service serving this app is up and healthy (`tctl apps ls`), and that no lock targets the bot; mcp-bridge dials again on the next message.',
  ),
  SERVER_OUTPUT_INVALID: entry(
    'The MCP server sent a line that is not a JSON-RPC message (a stdio server printing logs or other text to stdout).',
    'Fix the server so it writes only JSON-RPC to stdout and its logs to stderr; the line was dropped.',
  ),
  SERVER_MESSAGE_TOO_LARGE: entry(
    'A message from the MCP server exceeded the size limit, so it was dropped.',
    'Raise --max-message-size, or ask the tool for less (paging, filters).',
  ),
  OUTPUT_TOO_LARGE: entry(
    'A message from the server is larger than the MCP client takes on stdio (SDK clients close the whole connection on a line of about 10 MiB), so it was not written: a response becomes this error (the call did run), a notification is dropped.',
    'Ask the server for less (narrower queries, pagination), or raise --max-output-message-size for a client that takes longer lines (0 = no limit).',
  ),
  SERVER_REQUEST_UNSUPPORTED: entry(
    'The server sent a request to the client (sampling, elicitation or roots) that the path to it cannot carry; Teleport ended the stream.',
    "Leave mcp-bridge's default (it hides these capabilities through Teleport), or avoid tools that need them.",
  ),
  REQUEST_CANCELLED: entry(
    'The client cancelled the request (notifications/cancelled); mcp-bridge closed its response stream, which cancels it on a 2026-07-28 server.',
    'Nothing to do: the client asked for it. Raise the client\'s request timeout if it cancelled a call that needed more time.',
  ),
  LEGACY_SERVER: entry(
    'The MCP server speaks only the 2025 protocol (initialize and sessions); a 2026-07-28 request such as server/discover cannot be served by it.',
    'Let the client fall back to initialize (an SDK v2 client in `auto` mode does), connect with a 2025-era client, or upgrade the server.',
    JSONRPC.METHOD_NOT_FOUND,
  ),
  DISCOVER_INVALID: entry(
    'The MCP server answered server/discover with something that is not a DiscoverResult (no supportedVersions list or capabilities object).',
    'Fix the server (2026-07-28 servers must implement server/discover); check what it answers with --log-level debug.',
  ),
  ERA_CONTRADICTION: entry(
    'The MCP server contradicted the protocol revision it announced (it listed 2026-07-28 in server/discover, then refused it, or answered like a 2025 server).',
    'Retry: mcp-bridge forgot what it knew about this server and detects its protocol again. If it repeats, the server (or something in front of it) is misconfigured.',
  ),
  INPUT_REQUIRED_LOOP: entry(
    'The MCP server kept asking for more input (multi round-trip input_required results) without ever completing the request.',
    'Check the server: it should complete after the answers it asked for. The detail says how many rounds were made.',
  ),
  REQUEST_STATE_TOO_LARGE: entry(
    'The MCP server asked for input with a requestState larger than mcp-bridge sends back.',
    'Fix the server: requestState is meant to be a small opaque token (the limit is in the detail).',
  ),
  INPUT_REQUEST_FAILED: entry(
    "The client could not answer a request the MCP server needed (elicitation, sampling or roots) to complete the call.",
    "See the client's error in the detail; check the client declared and handles that capability.",
  ),
  MESSAGE_TOO_LARGE: entry(
    'A message on stdin exceeded the size limit.',
    'Send smaller messages, or raise --max-message-size.',
    JSONRPC.INVALID_REQUEST,
  ),
  PARSE_ERROR: entry('A line on stdin is not valid JSON.', 'Send one JSON-RPC message per line, UTF-8 encoded.', JSONRPC.PARSE_ERROR),
  INVALID_REQUEST: entry(
    'A message on stdin is not a valid JSON-RPC 2.0 message.',
    'Send JSON-RPC 2.0 objects with "jsonrpc": "2.0".',
    JSONRPC.INVALID_REQUEST,
  ),
  SHUTTING_DOWN: entry('mcp-bridge is shutting down.', 'Start a new mcp-bridge process.'),
  CONFIG_INVALID: entry('The command line or environment is invalid.', 'See `mcp-bridge <command> --help`.'),
  CLIENT_CONFIG_INVALID: entry(
    "The MCP client's config file is not valid JSON (comments and trailing commas are allowed), or its servers member is not an object.",
    'Fix the file named in the detail (or move it aside) and re-run `mcp-bridge config`; the file was left unchanged.',
  ),
  CLIENT_CONFIG_UNWRITABLE: entry(
    "The MCP client's config file or its directory could not be read or written.",
    'Check the path and permissions named in the detail, pass --client-config PATH to write elsewhere, or omit --client-config to print the entry.',
  ),
  CACHE_UNSAFE: entry(
    "The certificate cache directory is not private to this user (another user owns it, group or others can enter it, or it cannot be created), so mcp-bridge does not use it and every process gets its own app certificate.",
    'Make this user its owner with mode 0700 (chmod 700 DIR), or remove it so mcp-bridge recreates it; or pass --cache-dir with a private directory, or --no-cache.',
  ),
  INTERNAL: entry('An unexpected internal error.', 'Re-run with --log-level debug and report the log (it contains no secrets).', JSONRPC.INTERNAL_ERROR),
} satisfies Record<string, CatalogueEntry>;

export type ErrorTag = keyof typeof CATALOGUE;

export function tagLabel(tag: ErrorTag): string {
  return `MCP_BRIDGE_${tag}`;
}

/**
 * A failure with a catalogue tag and a specific detail (what happened this time: file name, status, server text).
 * Details must never contain key material or header values.
 */
export class BridgeError extends Error {
  readonly tag: ErrorTag;
  readonly detail: string;
  /** Extra JSON-safe facts for the JSON-RPC error's `data` and for doctor. */
  readonly data: Record<string, unknown>;

  constructor(tag: ErrorTag, detail: string, options: { cause?: unknown; data?: Record<string, unknown> } = {}) {
    super(`[${tagLabel(tag)}] ${detail} Fix: ${CATALOGUE[tag].fix}`, { cause: options.cause });
    this.name = 'BridgeError';
    this.tag = tag;
    this.detail = detail;
    this.data = options.data ?? {};
  }

  get code(): number {
    return CATALOGUE[this.tag].code;
  }
}

/** The error of work cut short because mcp-bridge is closing (the client left, or SIGTERM/SIGINT). */
export function shuttingDownError(): BridgeError {
  return new BridgeError('SHUTTING_DOWN', 'mcp-bridge is shutting down.');
}

/** Wraps anything thrown into a BridgeError, keeping tagged errors as they are. */
export function asBridgeError(err: unknown, fallback: ErrorTag = 'INTERNAL'): BridgeError {
  if (err instanceof BridgeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new BridgeError(fallback, message, { cause: err });
}

/** The JSON-RPC `error` member for a failure. */
export function toJsonRpcError(err: unknown): { code: number; message: string; data: Record<string, unknown> } {
  const e = asBridgeError(err);
  return { code: e.code, message: e.message, data: { tag: tagLabel(e.tag), ...e.data } };
}
