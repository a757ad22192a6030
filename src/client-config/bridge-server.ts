import path from 'node:path';
import type { BridgeLaunch } from './install-location';
import type { StdioServer } from './stdio-server';

/**
 * What `mcp-bridge connect` needs to reach one app. Everything travels in env (the variables connect reads), so
 * Windows clients never split a path and args stay the same for every entry. Unset members are left out.
 */
export interface BridgeServerOptions {
  app: string;
  /** tbot output (file or directory); made absolute, like every path, since clients start servers anywhere. */
  identity?: string;
  /** Explicit client certificate and key PEM files, instead of `identity`. */
  cert?: string;
  key?: string;
  /** Teleport Proxy web address, host:port. */
  proxy?: string;
  /** Direct Streamable HTTP endpoint instead of Teleport. */
  url?: string;
  /** Extra trusted CA files, joined with the OS path delimiter as connect splits them. */
  cas?: string[];
  /** `Name: value` headers, one per line in MCP_BRIDGE_HEADERS. */
  headers?: string[];
  /** Carried only when set: a config file outlives the test it was meant for. */
  insecure?: boolean;
  /** Connect's tuning flags, carried only when they differ from connect's defaults. */
  autoReconnect?: false;
  keepClientCapabilities?: true;
  maxMessageSize?: number;
  maxOutputMessageSize?: number;
  /** The per-user cache: off (--no-cache), or kept elsewhere (--cache-dir, made absolute); left out when default. */
  cache?: false;
  cacheDir?: string;
}

/** Entries are named like tsh's, so one naming scheme covers both tools. */
export function serverName(app: string): string {
  return `teleport-mcp-${app}`;
}

/** The stdio server entry that runs `mcp-bridge connect <app>` from this installation. */
export function bridgeServer(options: BridgeServerOptions, launch: BridgeLaunch, cwd: string = process.cwd()): StdioServer {
  const env: Record<string, string> = {};
  const absolute = (file: string) => path.resolve(cwd, file);
  if (options.identity) env.TELEPORT_IDENTITY_FILE = absolute(options.identity);
  if (options.cert) env.MCP_BRIDGE_CERT = absolute(options.cert);
  if (options.key) env.MCP_BRIDGE_KEY = absolute(options.key);
  if (options.proxy) env.TELEPORT_PROXY = options.proxy;
  if (options.url) env.MCP_BRIDGE_URL = options.url;
  if (options.cas?.length) env.MCP_BRIDGE_CA = options.cas.map(absolute).join(path.delimiter);
  if (options.headers?.length) env.MCP_BRIDGE_HEADERS = options.headers.join('\n');
  if (options.insecure) env.MCP_BRIDGE_INSECURE = 'true';
  if (options.autoReconnect === false) env.MCP_BRIDGE_AUTO_RECONNECT = 'false';
  if (options.keepClientCapabilities) env.MCP_BRIDGE_KEEP_CLIENT_CAPABILITIES = 'true';
  if (options.maxMessageSize !== undefined) env.MCP_BRIDGE_MAX_MESSAGE_SIZE = String(options.maxMessageSize);
  if (options.maxOutputMessageSize !== undefined) env.MCP_BRIDGE_MAX_OUTPUT_MESSAGE_SIZE = String(options.maxOutputMessageSize);
  if (options.cache === false) env.MCP_BRIDGE_CACHE = 'false';
  if (options.cacheDir) env.MCP_BRIDGE_CACHE_DIR = absolute(options.cacheDir);
  return { command: launch.node, args: [launch.bin, 'connect', options.app], env };
}
