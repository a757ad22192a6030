import { closeSync, existsSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/**
 * An MCP client talking to `mcp-bridge connect` over stdio, spawned the way Claude Desktop spawns a configured
 * server (the SDK's StdioClientTransport: the command, its arguments, a minimal environment). mcp-bridge's stderr
 * goes to a log file so its lines never mix with the demo's own output.
 */

const REPO_ROOT = resolve(__dirname, '..', '..');
const BRIDGE_BIN = join(REPO_ROOT, 'bin', 'mcp-bridge');
const BUNDLE = join(REPO_ROOT, 'dist', 'mcp-bridge.js');

export interface BridgeClientOptions {
  app: string;
  identityDir: string;
  proxyAddr: string;
  /** The CA of the proxy's web certificate (--ca). */
  caFile: string;
  /** Receives mcp-bridge's stderr (info level). */
  logFile: string;
  /** Aborts start-up (Ctrl-C while connecting). */
  signal: AbortSignal;
  /** mcp-bridge went away before close() was called (it crashed or exited on its own). */
  onUnexpectedExit(app: string, logFile: string): void;
}

/** mcp-bridge answers initialize once it found the app and holds an app certificate: seconds at most, locally. */
const INITIALIZE_TIMEOUT_MS = 20_000;

export interface BridgeClient {
  readonly app: string;
  readonly logFile: string;
  readonly client: Client;
  /** Ends mcp-bridge's stdin (it deletes its MCP session and exits) and waits for the process to go. */
  close(): Promise<void>;
}

export async function connectThroughBridge(options: BridgeClientOptions): Promise<BridgeClient> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (\`npm run demo\` does).`);
  const args = ['connect', options.app, '-i', options.identityDir, '--proxy', options.proxyAddr, '--ca', options.caFile, '--log-level', 'info'];
  const stderr = openSync(options.logFile, 'a', 0o600);
  const client = new Client({ name: 'mcp-bridge-demo', version: '1.0.0' });
  try {
    await client.connect(new StdioClientTransport({ command: BRIDGE_BIN, args, stderr }), { timeout: INITIALIZE_TIMEOUT_MS, signal: options.signal });
  } catch (err) {
    await client.close();
    throw new Error(`mcp-bridge connect ${options.app} failed to start (see ${options.logFile}): ${(err as Error).message}`, { cause: err });
  } finally {
    closeSync(stderr); // the child holds its own copy
  }
  let closing = false;
  client.onclose = () => {
    if (!closing) options.onUnexpectedExit(options.app, options.logFile);
  };
  return {
    app: options.app,
    logFile: options.logFile,
    client,
    close: () => {
      closing = true;
      return client.close();
    },
  };
}

/** Starts one bridge per options entry in parallel; if any fails, the others are closed before the error is thrown. */
export async function connectAll(list: BridgeClientOptions[]): Promise<BridgeClient[]> {
  const results = await Promise.allSettled(list.map(connectThroughBridge));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(started.map((b) => b.close()));
    throw failed.reason;
  }
  return started;
}
