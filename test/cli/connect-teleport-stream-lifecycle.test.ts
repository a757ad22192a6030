import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { z } from 'zod';
import { scriptedStdioCommand } from '../../fixtures/upstreams';
import { runCli } from '../doctor/support/testbed';
import { clientThroughBridge, RawBridge } from '../mcp/support/bridge';
import { until } from '../support/until';
import { STREAM_APPS, STREAM_ROLES, startStreamCluster, type StreamCluster } from '../support/stream-cluster';

/**
 * A stream app session over time, through the test cluster: pings, the cluster closing idle sessions, renewals, App
 * Service restarts, expired app sessions, locks, a stdio server that exits or changes. The proxy pings every 100 ms
 * and the App Service closes sessions idle for 3 s.
 */

const PING_MS = 100;
const IDLE_MS = 3_000;

let world: StreamCluster;
let identityDir: string;
const clients: Client[] = [];

const textOf = (result: any): string => result.content.map((c: any) => c.text ?? '').join('');
const streamsOf = (username: string, app: string) => world.cluster.recorder.streams.filter((s) => s.username === username && s.appName === app);
const echo = (c: Client, message: string) => c.callTool({ name: 'echo', arguments: { message } }).then(textOf);

/** The bridge's stderr per client (info level): its log says when it saw a connection end. */
const stderrOf = new Map<Client, () => string>();

async function client(app: string, dir = identityDir): Promise<Client> {
  const { client, stderr } = await clientThroughBridge(world.connectArgs(app, dir, ['--log-level', 'info']));
  clients.push(client);
  stderrOf.set(client, stderr);
  return client;
}

/** Waits until the bridge behind `c` has seen `count` connections end (so the next call cannot race the close). */
const connectionsEnded = (c: Client, count = 1) => until(() => (stderrOf.get(c)!().match(/the MCP connection ended/g) ?? []).length >= count);

beforeAll(async () => {
  world = await startStreamCluster({ streamApps: { pingIntervalMs: PING_MS, clientIdleTimeoutMs: IDLE_MS } });
  identityDir = (await world.bots.start({ name: 'agent', roles: [STREAM_ROLES.all], allowReissue: true })).outDir;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await world?.close();
});

test('a session idle longer than several ping intervals stays up and answers on the same connection', async () => {
  const c = await client(STREAM_APPS.stdio);
  expect(await echo(c, 'before')).toBe('Echo: before');
  const connections = streamsOf('bot-agent', STREAM_APPS.stdio).length;
  const quietUntil = Date.now() + 5 * PING_MS;
  await until(() => Date.now() > quietUntil); // the idle period itself is what is tested
  expect(await echo(c, 'after the pings')).toBe('Echo: after the pings');
  expect(streamsOf('bot-agent', STREAM_APPS.stdio)).toHaveLength(connections);
});

test('a session the cluster closed for idleness is re-dialled on the next call, the handshake replayed, transparently', async () => {
  const c = await client(STREAM_APPS.sse);
  expect(await echo(c, 'first')).toBe('Echo: first');
  const first = streamsOf('bot-agent', STREAM_APPS.sse).at(-1)!;
  await connectionsEnded(c);
  expect(first.closeReason).toMatch(/idle/);
  expect(await echo(c, 'after idle')).toBe('Echo: after idle');
  const second = streamsOf('bot-agent', STREAM_APPS.sse).at(-1)!;
  expect(second).not.toBe(first);
  expect(second.toServer.slice(0, 3).map((m) => m.method)).toEqual(['initialize', 'notifications/initialized', 'tools/call']);
});

test('tbot renewals under load: zero failed calls, the live connection kept, the next one on the new certificate', async () => {
  const bot = await world.bots.start({ name: 'busy', roles: [STREAM_ROLES.all], allowReissue: true });
  const c = await client(STREAM_APPS.stdio, bot.outDir);
  expect(await echo(c, 'warm')).toBe('Echo: warm');
  const firstSerial = streamsOf('bot-busy', STREAM_APPS.stdio).at(-1)!.certSerial;
  const results: Promise<string>[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 10; i++) results.push(echo(c, `r${round}-${i}`));
    await bot.renewNow();
  }
  const texts = await Promise.all(results);
  expect(texts).toEqual(results.map((_, n) => `Echo: r${Math.floor(n / 10)}-${n % 10}`));
  expect(streamsOf('bot-busy', STREAM_APPS.stdio)).toHaveLength(1);
  // Once the cluster closes the idle session, the next connection presents a certificate from the new generation.
  await connectionsEnded(c);
  expect(streamsOf('bot-busy', STREAM_APPS.stdio)[0]!.closeReason).toMatch(/idle/);
  expect(await echo(c, 'renewed')).toBe('Echo: renewed');
  expect(streamsOf('bot-busy', STREAM_APPS.stdio).at(-1)!.certSerial).not.toBe(firstSerial);
});

test('an App Service restart mid-session: the bridge reconnects and the next call succeeds (stdio and SSE)', async () => {
  const [stdio, sse] = await Promise.all([client(STREAM_APPS.stdio), client(STREAM_APPS.sse)]);
  expect(await echo(stdio, 'up')).toBe('Echo: up');
  expect(await echo(sse, 'up')).toBe('Echo: up');
  world.cluster.control.dropConnections(); // every connection through the proxy is cut, stdio servers stop
  await world.sse.restart(); // and the SSE server forgets its sessions
  await Promise.all([connectionsEnded(stdio), connectionsEnded(sse)]);
  expect(await echo(stdio, 'back')).toBe('Echo: back');
  expect(await echo(sse, 'back')).toBe('Echo: back');
});

test('an expired app session: the next connection is closed without a byte, a new certificate is issued, the call succeeds', async () => {
  const c = await client(STREAM_APPS.demo);
  await c.callTool({ name: 'teleport_demo_info', arguments: {} });
  const issued = () => world.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;
  const before = issued();
  world.cluster.control.expireAppSessions();
  world.cluster.control.dropConnections();
  await connectionsEnded(c);
  expect(textOf(await c.callTool({ name: 'teleport_demo_info', arguments: {} }))).toMatch(/teleport-demo/);
  expect(issued()).toBeGreaterThan(before);
  expect(world.cluster.recorder.streams.some((s) => s.outcome === 'invalid-session' && s.appName === STREAM_APPS.demo)).toBe(true);
});

test('a lock closes the session and calls fail with its reason; after the unlock they work again', async () => {
  const bot = await world.bots.start({ name: 'lockable', roles: [STREAM_ROLES.all], allowReissue: true });
  const c = await client(STREAM_APPS.stdio, bot.outDir);
  expect(await echo(c, 'free')).toBe('Echo: free');
  world.cluster.control.lockUser('bot-lockable');
  try {
    await connectionsEnded(c);
    await expect(echo(c, 'locked')).rejects.toThrow(/lock targeting User:"bot-lockable" is in force/);
  } finally {
    world.cluster.control.unlockUser('bot-lockable');
  }
  expect(await echo(c, 'unlocked')).toBe('Echo: unlocked');
});

describe('a scripted stdio server', () => {
  const Result = z.object({}).passthrough();
  const raw = (id: number, method: string) => JSON.stringify({ jsonrpc: '2.0', id, method, params: {} }) + '\n';

  test('exiting mid-call answers that call MAY_HAVE_RUN; the next call starts it again and succeeds', async () => {
    const bridge = new RawBridge(world.connectArgs(STREAM_APPS.scripted, identityDir));
    try {
      bridge.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) + '\n');
      await bridge.until((all) => all.some((m) => m.id === 1));
      bridge.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
      bridge.send(raw(2, 'exit'));
      const [lost] = (await bridge.until((all) => all.some((m) => m.id === 2))).filter((m) => m.id === 2);
      expect(lost.error.data.tag).toBe('MCP_BRIDGE_MAY_HAVE_RUN');
      bridge.send(raw(3, 'still-there'));
      const [answer] = (await bridge.until((all) => all.some((m) => m.id === 3))).filter((m) => m.id === 3);
      expect(answer.result).toEqual({ method: 'still-there', params: {} });
    } finally {
      expect(await bridge.end()).toBe(0);
    }
  });

  test('a server that comes back with another version fails with SERVER_CHANGED', async () => {
    const c = await client(STREAM_APPS.scripted);
    expect(await c.request({ method: 'before', params: {} }, Result)).toEqual({ method: 'before', params: {} });
    const app = world.cluster.apps.find((a) => a.name === STREAM_APPS.scripted)!;
    const deployed = app.mcp;
    app.mcp = scriptedStdioCommand('2'); // redeployed: the App Service starts the new version for the next connection
    try {
      world.cluster.control.dropConnections();
      await connectionsEnded(c);
      await expect(c.request({ method: 'after', params: {} }, Result)).rejects.toThrow(/SERVER_CHANGED.*is now scripted 2/);
    } finally {
      app.mcp = deployed;
    }
  });
});

test('doctor completes an MCP round trip with a stdio app', async () => {
  const { code, stdout } = await runCli(['doctor', STREAM_APPS.stdio, '-i', identityDir, '--proxy', world.cluster.proxyAddr, '--ca', world.cluster.publicCaFile, '--json']);
  const checks = Object.fromEntries((JSON.parse(stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.map((c) => [c.id, c]));
  expect(code).toBe(0);
  expect(checks.app).toMatchObject({ status: 'pass', detail: expect.stringContaining('stdio (mcp+stdio)') });
  expect(checks.mcp).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^server "[^"]*everything[^"]*" .*, \d+ tools, initialize took \d+ ms$/) });
});
