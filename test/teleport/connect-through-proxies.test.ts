import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startTestCluster, type TestCluster, type TestClusterOptions } from '../../fixtures/cluster';
import { PROXY_HOSTNAME } from '../../fixtures/cluster/cas';
import { startConnectProxy, type ConnectProxy } from '../../fixtures/net/connect-proxy';
import { startSocks5Proxy, type Socks5Proxy } from '../../fixtures/net/socks5-proxy';
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

/** Runs the bridge with `env`, lists the tools and calls echo; resolves with what came back. */
async function echoThrough(world: World, env: Record<string, string>, text: string): Promise<{ tools: string[]; echoed: string }> {
  const { client } = await connectBridge(world, env);
  try {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    return { tools, echoed: textOf(await client.callTool({ name: 'echo', arguments: { text } })) };
  } finally {
    await client.close();
  }
}

describe('through a SOCKS5 proxy and an https:// (TLS) proxy, with and without credentials', () => {
  const credentials = { username: 'alice', password: 's3cr:et' };
  const inUrl = `alice:${encodeURIComponent(credentials.password)}@`;
  let world: World;
  let socks: Socks5Proxy;
  let guardedSocks: Socks5Proxy;
  let tlsProxy: ConnectProxy;
  let guardedTlsProxy: ConnectProxy;
  beforeAll(async () => {
    world = await startWorld();
    const hosts = { [PROXY_HOSTNAME]: '127.0.0.1' };
    // The TLS proxy presents a certificate for 127.0.0.1 from the cluster's public CA, trusted by the bridge through
    // NODE_EXTRA_CA_CERTS (what a user does for a private CA; tsh trusts the system's roots for it).
    const tls = world.cluster.cas.web;
    [socks, guardedSocks, tlsProxy, guardedTlsProxy] = await Promise.all([
      startSocks5Proxy({ hosts }),
      startSocks5Proxy({ hosts, auth: credentials }),
      startConnectProxy({ hosts, tls }),
      startConnectProxy({ hosts, tls, auth: credentials }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([socks?.close(), guardedSocks?.close(), tlsProxy?.close(), guardedTlsProxy?.close()]);
    await world?.close();
  });

  const target = () => `${PROXY_HOSTNAME}:${world.cluster.proxyPort}`;

  test.each([
    ['socks5:// without credentials', () => socks, () => socks.url],
    ['socks5:// with credentials', () => guardedSocks, () => `socks5://${inUrl}127.0.0.1:${guardedSocks.port}`],
  ])('%s: every dial (ping, auth, app) is a SOCKS5 CONNECT by name', async (_what, proxy, url) => {
    const before = proxy().tunnels.length;
    const { tools, echoed } = await echoThrough(world, { HTTPS_PROXY: url() }, 'via socks');
    expect(tools).toContain('echo');
    expect(echoed).toBe('via socks');
    // The name went to the proxy unresolved (this machine cannot resolve it): ping, auth and app traffic.
    const opened = proxy().tunnels.slice(before);
    expect(opened.length).toBeGreaterThanOrEqual(3);
    expect(opened.every((t) => t === target())).toBe(true);
    expect(proxy().refused).toBe(0);
  });

  test.each([
    ['https:// without credentials', () => tlsProxy, () => tlsProxy.url],
    ['https:// with credentials', () => guardedTlsProxy, () => `https://${inUrl}127.0.0.1:${guardedTlsProxy.port}`],
  ])('%s: TLS to the proxy, CONNECT inside, the cluster verified end to end', async (_what, proxy, url) => {
    const before = proxy().tunnels.length;
    const { echoed } = await echoThrough(world, { HTTPS_PROXY: url(), NODE_EXTRA_CA_CERTS: world.cluster.publicCaFile }, 'via tls proxy');
    expect(echoed).toBe('via tls proxy');
    const opened = proxy().tunnels.slice(before);
    expect(opened.length).toBeGreaterThanOrEqual(3);
    expect(opened.every((t) => t === target())).toBe(true);
    expect(proxy().refused).toBe(0);
  });

  test('a lower-case https_proxy applies when HTTPS_PROXY is set but empty', async () => {
    const before = socks.tunnels.length;
    const { echoed } = await echoThrough(world, { HTTPS_PROXY: '', https_proxy: socks.url }, 'lower case');
    expect(echoed).toBe('lower case');
    expect(socks.tunnels.length - before).toBeGreaterThanOrEqual(3);
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
