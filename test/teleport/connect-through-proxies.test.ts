import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startTestCluster, type TestCluster, type TestClusterOptions } from '../../fixtures/cluster';
import { PROXY_HOSTNAME } from '../../fixtures/cluster/cas';
import { startConnectProxy, type ConnectProxy } from '../../fixtures/net/connect-proxy';
import { startDemoServer, type DemoServer } from '../../fixtures/upstreams';
import { BIN, cleanEnv } from '../support/cli';
import { clusterBots, type ClusterBots } from '../../fixtures/cluster/bots';

/**
 * `mcp-bridge connect` (the built bin, as users run it) through a corporate HTTP proxy and through a proxy behind
 * an L7 load balancer. The cluster is addressed as PROXY_HOSTNAME, which only the CONNECT proxy fixture resolves.
 */

const APP = 'demo';

interface World {
  cluster: TestCluster;
  demo: DemoServer;
  bots: ClusterBots;
  identityDir: string;
  close(): Promise<void>;
}

async function startWorld(options: TestClusterOptions = {}): Promise<World> {
  const demo = await startDemoServer({ requireJwt: false });
  const cluster = await startTestCluster({
    ...options,
    roles: [{ name: 'mcp-all', appLabels: { '*': '*' }, mcpTools: { allow: ['*'] } }],
    apps: [{ name: APP, uri: `mcp+${demo.url}`, publicAddr: `${APP}.mcp-bridge.test`, labels: { env: 'test' } }],
  });
  const bots = await clusterBots(cluster);
  const identityDir = (await bots.start({ name: 'agent', roles: ['mcp-all'], allowReissue: true })).outDir;
  return {
    cluster,
    demo,
    bots,
    identityDir,
    async close() {
      await bots.close();
      await cluster.close();
      await demo.stop();
    },
  };
}

/** An SDK client on the bin's stdio, with exactly the given environment on top of a clean one. */
async function connectBridge(world: World, env: Record<string, string>, proxyHost = PROXY_HOSTNAME): Promise<{ client: Client; stderr: () => string }> {
  const args = [BIN, 'connect', APP, '-i', world.identityDir, '--proxy', `${proxyHost}:${world.cluster.proxyPort}`, '--ca', world.cluster.publicCaFile];
  const transport = new StdioClientTransport({ command: process.execPath, args, env: { ...(cleanEnv() as Record<string, string>), ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'proxy-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

const textOf = (result: any): string => result.content.map((c: any) => c.text ?? '').join('');

let corp: ConnectProxy;
beforeAll(async () => {
  corp = await startConnectProxy({ hosts: { [PROXY_HOSTNAME]: '127.0.0.1' } });
});
afterAll(() => corp?.close());

describe('through HTTPS_PROXY', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world?.close());

  test('tools/list and a call work, and every dial (ping, auth, app) went through the CONNECT proxy', async () => {
    const before = corp.tunnels.length;
    const { client } = await connectBridge(world, { HTTPS_PROXY: corp.url });
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'via corp proxy' } }))).toBe('via corp proxy');
    } finally {
      await client.close();
    }
    const counters = world.cluster.control.counters();
    // ping + auth + at least one app connection, all tunnelled: none reached the cluster directly.
    expect(corp.tunnels.length - before).toBeGreaterThanOrEqual(3);
    expect(corp.tunnels.slice(before).every((t) => t === `${PROXY_HOSTNAME}:${world.cluster.proxyPort}`)).toBe(true);
    expect(counters.byRoute.auth).toBeGreaterThanOrEqual(1);
    expect(counters.appRequests).toBeGreaterThanOrEqual(2);
  });
});

describe('behind an L7 load balancer (connection upgrade)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ l7LoadBalancer: true });
  });
  afterAll(() => world?.close());

  test('tools/list and a call work through the upgrade, itself through HTTPS_PROXY', async () => {
    const before = world.cluster.control.counters();
    const tunnelsBefore = corp.tunnels.length;
    const { client } = await connectBridge(world, { HTTPS_PROXY: corp.url });
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'upgraded' } }))).toBe('upgraded');
    } finally {
      await client.close();
    }
    const after = world.cluster.control.counters();
    // At least one upgrade for auth (alpn-ping) and one for app traffic (alpn); no route but the web one exists.
    expect(after.connectionUpgrades - before.connectionUpgrades).toBeGreaterThanOrEqual(2);
    expect(after.appRequests - before.appRequests).toBeGreaterThanOrEqual(2);
    expect(corp.tunnels.length - tunnelsBefore).toBeGreaterThanOrEqual(4); // ping, probe, auth, app
  });
});

describe('TELEPORT_TLS_ROUTING_CONN_UPGRADE=true on a cluster with ALPN routing', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world?.close());

  test('forces the upgrade (by IP, no SNI) and the calls still work', async () => {
    const before = world.cluster.control.counters();
    const { client } = await connectBridge(world, { TELEPORT_TLS_ROUTING_CONN_UPGRADE: 'true' }, '127.0.0.1');
    try {
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'forced' } }))).toBe('forced');
    } finally {
      await client.close();
    }
    expect(world.cluster.control.counters().connectionUpgrades - before.connectionUpgrades).toBeGreaterThanOrEqual(2);
  });
});
