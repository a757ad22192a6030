import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheStore } from '../../src/cache';
import { eraStoreOf } from '../../src/cli/cache-options';
import { silentLogger } from '../../src/log/logger';
import { EraVerdicts } from '../../src/mcp/era/verdicts';
import { RawBridge } from '../mcp/support/bridge';
import { until } from '../support/until';

/**
 * The Teleport start-up (tbot's files, the proxy, the app certificate) runs when a request needs it: a process
 * answered without the server — an SDK v2 `auto` client's probe sibling, whose server/discover the era cache answers —
 * does none of it. A "proxy" here is a TCP port that counts connections and never answers.
 */

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
const discover = { jsonrpc: '2.0', id: 'probe', method: 'server/discover', params: { _meta: META } };

let proxy: Server;
let proxyAddr: string;
let connections = 0;
const held: Socket[] = [];
let cacheDir: string;
let noIdentity: string;
const bridges: RawBridge[] = [];

beforeEach(async () => {
  connections = 0;
  proxy = createServer((socket) => {
    connections++;
    held.push(socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  proxyAddr = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  cacheDir = await mkdtemp(join(tmpdir(), 'bridge-lazy-start-'));
  noIdentity = join(cacheDir, 'no-tbot-output-here');
});

afterEach(async () => {
  for (const bridge of bridges.splice(0)) {
    bridge.child.kill();
    await bridge.exited;
  }
  for (const socket of held.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await rm(cacheDir, { recursive: true, force: true });
});

const connectArgs = (to = proxyAddr) => ['connect', 'app', '-i', noIdentity, '--proxy', to, '--cache-dir', cacheDir];

function bridge(args: string[]): RawBridge {
  const b = new RawBridge(args);
  bridges.push(b);
  return b;
}

test("a 2026-07-28 client's server/discover answered from the era cache reads no tbot output and dials no proxy", async () => {
  // What an earlier process learned: this app's server speaks only MCP 2025 (the key names proxy and app).
  const cache = new CacheStore(cacheDir, silentLogger);
  await new EraVerdicts(eraStoreOf(cache), `teleport:${proxyAddr}/app`, silentLogger).remember({ era: 'legacy' });

  const probe = bridge([...connectArgs(), '--log-level', 'debug']);
  probe.send(JSON.stringify(discover) + '\n');
  const [answer] = await probe.until((all) => all.some((m) => m.id === 'probe'));
  expect(answer.error).toMatchObject({ code: -32601, data: { tag: 'MCP_BRIDGE_LEGACY_SERVER' } });
  expect(await probe.end()).toBe(0);
  expect(connections).toBe(0);
  // The identity files do not exist: reading them would have said so.
  expect(probe.stderr).not.toMatch(/IDENTITY|cannot reach the MCP server/);
});

test('a process nothing has asked yet starts up anyway, and says on stderr what stops it', async () => {
  // A port nobody listens on: the start-up fails at once.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  const idle = bridge(connectArgs(`127.0.0.1:${port}`));
  await until(() => idle.stderr.includes('cannot reach the MCP server yet'));
  expect(idle.stderr).toContain('PROXY_UNREACHABLE');
  expect(await idle.end()).toBe(0);
});
