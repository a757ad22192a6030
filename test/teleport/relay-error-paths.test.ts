import { startTestCluster, type BuildOption, type RoleSpec, type TestCluster } from '../../fixtures/cluster';
import { clusterBots, type ClusterBots } from '../../fixtures/cluster/bots';
import { findFreePort, startDemoServer, type DemoServer } from '../../fixtures/upstreams';
import { CredentialWatcher } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { createTeleportUpstream } from '../../src/teleport/app-upstream';
import { InProcessRelay, call } from '../mcp/support/in-process-relay';
import { until } from '../support/until';

/**
 * The relay over the real Teleport upstream against the test cluster, on Teleport's error paths (teleport-wire.md
 * §6): results over the App Service's limits, tools: null, an unreachable App Service, idle connections the proxy
 * closes, early builds' bare statuses.
 */

const MiB = 1024 * 1024;
const ROLES: RoleSpec[] = [
  { name: 'mcp-all', appLabels: { '*': '*' }, mcpTools: { allow: ['*'] } },
  { name: 'mcp-no-tools', appLabels: { '*': '*' } },
];

interface World {
  cluster: TestCluster;
  bots: ClusterBots;
  close(): Promise<void>;
}

async function startWorld(build: BuildOption = 'late'): Promise<World> {
  const [demoPort, jsonPort, downPort] = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
  const cluster = await startTestCluster({
    build,
    roles: ROLES,
    apps: [
      { name: 'demo', uri: `mcp+http://127.0.0.1:${demoPort}/mcp`, publicAddr: 'demo.mcp-bridge.test', labels: {} },
      { name: 'demo-json', uri: `mcp+http://127.0.0.1:${jsonPort}/mcp`, publicAddr: 'demo-json.mcp-bridge.test', labels: {} },
      { name: 'down', uri: `mcp+http://127.0.0.1:${downPort}/mcp`, publicAddr: 'down.mcp-bridge.test', labels: {} },
    ],
  });
  const servers: DemoServer[] = await Promise.all([
    startDemoServer({ port: demoPort, requireJwt: false }),
    startDemoServer({ port: jsonPort, requireJwt: false, jsonResponse: true }),
  ]);
  const bots = await clusterBots(cluster);
  return {
    cluster,
    bots,
    async close() {
      await bots.close();
      await cluster.close();
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/** Runs `body` with the relay in process over a Teleport upstream for `app` (a new bot), initialized, then ends it. */
async function withBridge(world: World, app: string, options: { roles?: string[]; unreachedRetryMs?: number }, body: (relay: InProcessRelay) => Promise<void>): Promise<void> {
  const tbot = await world.bots.start({ name: `agent-${++bots}`, roles: options.roles ?? ['mcp-all'], allowReissue: true });
  const identity = new CredentialWatcher({ kind: 'path', path: tbot.outDir }, { logger: silentLogger, pollIntervalMs: 100, debounceMs: 20 });
  await identity.start();
  const upstream = createTeleportUpstream({ proxy: world.cluster.proxyAddr, app, identity, extraCAs: [world.cluster.cas.public.cert.pem], insecure: false, headers: {}, logger: silentLogger });
  const relay = new InProcessRelay({ upstream, unreachedRetryMs: options.unreachedRetryMs });
  try {
    await relay.initialize();
    await body(relay);
  } finally {
    await relay.end();
    await identity.close();
  }
}
let bots = 0;

const issued = (c: TestCluster) => c.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;

describe('a late build (the default)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world?.close());

  test('a 2 MiB result over SSE is lost by the App Service: RESPONSE_TOO_LARGE naming the limits, and the bridge goes on', async () => {
    await withBridge(world, 'demo', {}, async (relay) => {
      relay.send(call(1, 'payload', { bytes: 2 * MiB }));
      const lost = await relay.answerTo(1);
      expect(lost.error.data.tag).toBe('MCP_BRIDGE_RESPONSE_TOO_LARGE');
      expect(lost.error.message).toMatch(/ended before the response.*SSE result line only up to 64 KiB, 1 MiB or 10 MiB/);
      relay.send(call(2, 'payload', { bytes: 512 * 1024 }));
      expect((await relay.answerTo(2)).result.content[0].text).toHaveLength(512 * 1024);
    });
  });

  test('the same result from a server answering JSON arrives; over 10 MiB the App Service refuses it: RESPONSE_TOO_LARGE', async () => {
    await withBridge(world, 'demo-json', {}, async (relay) => {
      relay.send(call(1, 'payload', { bytes: 2 * MiB }), call(2, 'payload', { bytes: 11 * MiB }));
      expect((await relay.answerTo(1)).result.content[0].text).toHaveLength(2 * MiB);
      const refused = await relay.answerTo(2);
      expect(refused.error.data).toEqual({ tag: 'MCP_BRIDGE_RESPONSE_TOO_LARGE', status: 429 });
    });
  });

  test('roles that allow no tool: the App Service answers "tools": null, the client gets "tools": []', async () => {
    await withBridge(world, 'demo', { roles: ['mcp-no-tools'] }, async (relay) => {
      relay.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      expect((await relay.answerTo(1)).result.tools).toEqual([]);
    });
  });

  test('an App Service that is down for a while: the call is resent and answered once it is back, with one reissue', async () => {
    await withBridge(world, 'demo', {}, async (relay) => {
      relay.send(call(1, 'echo', { text: 'before' }));
      expect((await relay.answerTo(1)).result.content[0].text).toBe('before');
      const before = { issued: issued(world.cluster), refused: world.cluster.recorder.appRequests.length };
      world.cluster.control.setAppServiceReachable(false);
      relay.send(call(2, 'echo', { text: 'after the outage' }));
      // Refused several times (a bare 500 on the cached session, then 403s on the fresh one) before it comes back.
      await until(() => world.cluster.recorder.appRequests.length - before.refused >= 6);
      world.cluster.control.setAppServiceReachable(true);
      expect((await relay.answerTo(2)).result.content[0].text).toBe('after the outage');
      expect(issued(world.cluster) - before.issued).toBe(1);
    }).finally(() => world.cluster.control.setAppServiceReachable(true));
  });

  test('an App Service that stays down: resends end with APP_SERVICE_UNREACHABLE, concurrent calls cost one reissue', async () => {
    await withBridge(world, 'demo', { unreachedRetryMs: 1_500 }, async (relay) => {
      relay.send(call(1, 'echo', { text: 'warm' }));
      await relay.answerTo(1);
      const before = issued(world.cluster);
      world.cluster.control.setAppServiceReachable(false);
      relay.send(...Array.from({ length: 8 }, (_, i) => call(10 + i, 'echo', { text: `m${i}` })));
      for (let i = 0; i < 8; i++) {
        const answer = await relay.answerTo(10 + i);
        expect(answer.error.data.tag).toBe('MCP_BRIDGE_APP_SERVICE_UNREACHABLE');
        expect(answer.error.message).toMatch(/App Service serving "demo" is not reachable.*Resent with back-off/);
      }
      expect(issued(world.cluster) - before).toBe(1);
    }).finally(() => world.cluster.control.setAppServiceReachable(true));
  });
});

describe('idle connections the proxy closes without a hint', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ variant: 'late', idleTimeoutMs: 200 });
  });
  afterAll(() => world?.close());

  test('a call after the proxy closed the idle connection succeeds', async () => {
    await withBridge(world, 'demo', {}, async (relay) => {
      for (let i = 1; i <= 3; i++) {
        const closes = world.cluster.control.counters().idleCloses;
        relay.send(call(i, 'echo', { text: `call ${i}` }));
        expect((await relay.answerTo(i)).result.content[0].text).toBe(`call ${i}`);
        await until(() => world.cluster.control.counters().idleCloses > closes);
      }
    });
  });
});

describe("the proxy's real idle timeout (30 s, no Keep-Alive hint)", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('late');
  });
  afterAll(() => world?.close());

  test('a call after 31 s of silence succeeds, on a connection the bridge opened anew: it retired the idle one before the proxy would have', async () => {
    await withBridge(world, 'demo', {}, async (relay) => {
      relay.send(call(1, 'echo', { text: 'before' }));
      await relay.answerTo(1);
      const closes = world.cluster.control.counters().idleCloses;
      await new Promise((resolve) => setTimeout(resolve, 31_000));
      relay.send(call(2, 'echo', { text: 'after 31 s' }));
      expect((await relay.answerTo(2)).result.content[0].text).toBe('after 31 s');
      expect(world.cluster.control.counters().idleCloses).toBe(closes);
    });
  }, 60_000);
});

describe('an early build', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('early');
  });
  afterAll(() => world?.close());

  test('a bare 502 (no error origin) cannot tell a refused connection from a delivered request: MAY_HAVE_RUN, not resent', async () => {
    await withBridge(world, 'down', {}, async (relay) => {
      const calls = () => world.cluster.recorder.appRequests.filter((r) => (r.body as { method?: string } | undefined)?.method === 'tools/call').length;
      const before = calls();
      relay.send(call(1, 'echo', { text: 'x' }));
      const answer = await relay.answerTo(1);
      expect(answer.error.data).toEqual({ tag: 'MCP_BRIDGE_MAY_HAVE_RUN', status: 502 });
      expect(calls() - before).toBe(1);
    });
  });

  test('a 100 KiB result over SSE is beyond the 64 KiB line limit: RESPONSE_TOO_LARGE', async () => {
    await withBridge(world, 'demo', {}, async (relay) => {
      relay.send(call(1, 'payload', { bytes: 100 * 1024 }));
      expect((await relay.answerTo(1)).error.data.tag).toBe('MCP_BRIDGE_RESPONSE_TOO_LARGE');
    });
  });
});
