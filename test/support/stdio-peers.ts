import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO } from './cli';

/**
 * The stdio programs a host can put between itself and a Streamable HTTP server, as commands a client spawns: the
 * bridge in --url mode and mcp-remote (the peer issue 11 compares with). Each starts with `node <script>` — no npx,
 * no shell — so start-up measures the program, not a launcher. Shared by the era matrix and the benchmarks.
 */

export interface StdioCommand {
  command: string;
  args: string[];
  /** Extra environment for the child (merged over the host-style minimal environment by the caller's client). */
  env?: Record<string, string>;
}

export const MCP_REMOTE_BIN = join(REPO, 'node_modules/mcp-remote/dist/proxy.js');

/**
 * `mcp-bridge connect --url URL` (dist/ must be built: jest's globalSetup does it), with a cache of its own: fresh
 * per command, shared by the processes a client starts from it (an SDK v2 `auto` client's probe and the real one).
 * Era verdicts are keyed by URL, and a test server on a port another test's server of the other era used before must
 * not get that server's verdict.
 */
export function bridgeCommand(url: string, extraArgs: string[] = []): StdioCommand {
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'mcp-bridge-peer-')), 'cache');
  return { command: process.execPath, args: [BIN, 'connect', '--url', url, '--cache-dir', cacheDir, ...extraArgs] };
}

export interface McpRemoteOptions {
  /**
   * `auto` probes with server/discover and translates between eras (a 2025 client to a 2026 server and back);
   * `legacy` (mcp-remote's default) speaks 2025 only. Supported since mcp-remote 0.14.5; 0.15.1 is installed.
   */
  protocol: 'auto' | 'legacy';
  /** Where mcp-remote keeps its OAuth state (default: a fresh temp directory, so a developer's ~/.mcp-auth is untouched). */
  configDir?: string;
}

/** `mcp-remote URL --transport http-only --protocol MODE --silent`: an unauthenticated server needs no browser. */
export function mcpRemoteCommand(url: string, options: McpRemoteOptions): StdioCommand {
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), 'mcp-remote-'));
  return {
    command: process.execPath,
    args: [MCP_REMOTE_BIN, url, '--transport', 'http-only', '--protocol', options.protocol, '--silent'],
    env: { MCP_REMOTE_CONFIG_DIR: configDir },
  };
}
