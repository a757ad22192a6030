import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Agent, fetch as undiciFetch } from 'undici';
import type { BenchUpstream, FixtureInfo } from './fixture-protocol';

/**
 * The six ways an SDK Client reaches the same MCP server. 1 and 2 are in-process HTTP clients (the floors);
 * 3–6 are stdio child processes, as an MCP client such as Claude Desktop or LangGraph starts them.
 */
export type PathId = 1 | 2 | 3 | 4 | 5 | 6;
export const PATH_IDS: readonly PathId[] = [1, 2, 3, 4, 5, 6];

export interface PathSpec {
  id: PathId;
  name: string;
  description: string;
  /** True when a bridge process sits between client and server (memory, CPU and cold start are its own). */
  viaProcess: boolean;
}

export const PATHS: Record<PathId, PathSpec> = {
  1: { id: 1, name: 'direct', description: 'SDK Streamable HTTP client straight to the upstream (floor)', viaProcess: false },
  2: { id: 2, name: 'direct-mtls-proxy', description: 'SDK Streamable HTTP client through the test cluster proxy with an app certificate (Teleport floor)', viaProcess: false },
  3: { id: 3, name: 'mcp-bridge-teleport', description: '`mcp-bridge connect APP -i … --proxy …` through the test cluster (tbot identity, app cert reissue)', viaProcess: true },
  4: { id: 4, name: 'mcp-bridge-url', description: '`mcp-bridge connect --url` straight to the upstream', viaProcess: true },
  5: { id: 5, name: 'mcp-remote', description: '`mcp-remote URL --transport http-only` straight to the upstream', viaProcess: true },
  6: { id: 6, name: 'supergateway', description: '`supergateway --streamableHttp URL --outputTransport stdio` straight to the upstream', viaProcess: true },
};

const REPO_ROOT = join(__dirname, '../..');
const BRIDGE_BIN = join(REPO_ROOT, 'bin/mcp-bridge');
const MCP_REMOTE_BIN = join(REPO_ROOT, 'node_modules/mcp-remote/dist/proxy.js');
const SUPERGATEWAY_BIN = join(REPO_ROOT, 'node_modules/supergateway/dist/index.js');

/** An initialized client session on one path. */
export interface PathSession {
  client: Client;
  /** The bridge (or peer) process, for stdio paths. */
  pid?: number;
  /** The last of the child's stderr, for failure messages. */
  stderr(): string;
  close(): Promise<void>;
}

const STDERR_KEPT = 4096;
/** A path that cannot initialize is reported as failed after this long, not after the SDK's 60 s default. */
const INITIALIZE_TIMEOUT_MS = 20_000;

/** Per-session choices: path 3's certificate cache (by default one in the fixtures' scratch directory, never the user's). */
export interface SessionOptions {
  cacheDir?: string;
}

/** Path 3's command line for the Teleport app `app`. */
const bridgeToApp = (fixtures: FixtureInfo, app: string, options: SessionOptions = {}) => [
  BRIDGE_BIN, 'connect', app, '-i', fixtures.identityDir, '--proxy', fixtures.proxyAddr, '--ca', fixtures.publicCaFile,
  '--cache-dir', options.cacheDir ?? join(fixtures.scratchDir, 'cache'),
];

/** The command line each stdio path starts: `node <script> …` (no npx, no shell), so start-up compares the programs. */
export function stdioArgs(path: PathId, fixtures: FixtureInfo, upstream: BenchUpstream, options: SessionOptions = {}): string[] {
  const argsByPath: Partial<Record<PathId, string[]>> = {
    3: bridgeToApp(fixtures, upstream.app, options),
    4: [BRIDGE_BIN, 'connect', '--url', upstream.url],
    // A server without auth needs no OAuth: mcp-remote connects straight away and opens no browser.
    5: [MCP_REMOTE_BIN, upstream.url, '--transport', 'http-only', '--silent'],
    6: [SUPERGATEWAY_BIN, '--streamableHttp', upstream.url, '--outputTransport', 'stdio', '--logLevel', 'none'],
  };
  return argsByPath[path]!;
}

function childTransport(args: string[], fixtures: FixtureInfo): StdioClientTransport {
  return new StdioClientTransport({
    command: process.execPath,
    args,
    env: { ...getDefaultEnvironment(), MCP_REMOTE_CONFIG_DIR: join(fixtures.scratchDir, 'mcp-remote') },
    stderr: 'pipe',
    cwd: REPO_ROOT,
  });
}

/** Paths 1 and 2 use undici's fetch with their own keep-alive Agent: the same HTTP stack the bridge uses. */
function httpTransport(path: PathId, fixtures: FixtureInfo, upstream: BenchUpstream): { transport: StreamableHTTPClientTransport; agent: Agent } {
  const agent =
    path === 2
      ? new Agent({ connect: { cert: upstream.appCert.certPem, key: upstream.appCert.keyPem, ca: [fixtures.publicCaPem] } })
      : new Agent();
  const url = path === 2 ? new URL(`https://${fixtures.proxyAddr}/`) : new URL(upstream.url);
  const fetch = ((input, init) => undiciFetch(input, { ...(init as object), dispatcher: agent })) as FetchLike;
  return { transport: new StreamableHTTPClientTransport(url, { fetch }), agent };
}

/** Opens a session on `path` to `upstream`: resolves once `initialize` is answered (the SDK's connect()). */
export async function openSession(path: PathId, fixtures: FixtureInfo, upstream: BenchUpstream, options: SessionOptions = {}): Promise<PathSession> {
  const client = new Client({ name: 'mcp-bridge-bench', version: '1.0.0' }, { capabilities: {} });
  if (!PATHS[path].viaProcess) {
    const { transport, agent } = httpTransport(path, fixtures, upstream);
    try {
      await client.connect(transport, { timeout: INITIALIZE_TIMEOUT_MS });
    } catch (err) {
      await agent.close();
      throw err;
    }
    return {
      client,
      stderr: () => '',
      close: async () => {
        await transport.terminateSession().catch(() => undefined); // DELETE, as the stdio bridges send on close
        await client.close();
        await agent.close();
      },
    };
  }
  return openChild(childTransport(stdioArgs(path, fixtures, upstream, options), fixtures), client, PATHS[path].name);
}

/** Path 3 to any Teleport app by name (the per-app-type runs: stdio and SSE apps have no URL for other paths). */
export function openBridgeToApp(fixtures: FixtureInfo, app: string): Promise<PathSession> {
  return openStdioSession(bridgeToApp(fixtures, app), fixtures, `${PATHS[3].name} to ${app}`);
}

/** A session with `node <args>` (any build of the bridge, for A/B runs): resolves once `initialize` is answered. */
export function openStdioSession(args: string[], fixtures: FixtureInfo, name: string): Promise<PathSession> {
  const client = new Client({ name: 'mcp-bridge-bench', version: '1.0.0' }, { capabilities: {} });
  return openChild(childTransport(args, fixtures), client, name);
}

async function openChild(transport: StdioClientTransport, client: Client, name: string): Promise<PathSession> {
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT)));
  try {
    await client.connect(transport, { timeout: INITIALIZE_TIMEOUT_MS });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new Error(`${name} did not initialize: ${(err as Error).message}; stderr: ${stderr.trim()}`);
  }
  return { client, pid: transport.pid ?? undefined, stderr: () => stderr, close: () => client.close() };
}
