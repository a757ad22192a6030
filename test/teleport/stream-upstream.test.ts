import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { PROXY_HOSTNAME } from '../../fixtures/cluster/cas';
import { startConnectProxy, type ConnectProxy } from '../../fixtures/net/connect-proxy';
import { scriptedStdioCommand } from '../../fixtures/upstreams';
import type { CredentialWatcher } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { createTeleportUpstream } from '../../src/teleport/app-upstream';
import type { Upstream } from '../../src/upstream/types';
import { until } from '../support/until';
import { mcpApp, startHarness, type Harness } from './harness';

/** The Teleport upstream's stream side (stdio and SSE apps over ALPN teleport-mcp), against the test cluster. */

const STDIO_APP = 'scripted';

/** Newline-delimited JSON over a stream from openStream(): send a request, read the next message. */
function lines(stream: Duplex) {
  const received: Record<string, unknown>[] = [];
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    const parts = text.split('\n');
    text = parts.pop()!;
    received.push(...parts.map((p) => JSON.parse(p) as Record<string, unknown>));
  });
  let id = 0;
  return {
    async call(method: string, params: object = {}): Promise<Record<string, unknown>> {
      const mine = ++id;
      stream.write(`${JSON.stringify({ jsonrpc: '2.0', id: mine, method, params })}\n`);
      await until(() => received.some((m) => m.id === mine) || stream.destroyed);
      const answer = received.find((m) => m.id === mine);
      if (!answer) throw new Error('the stream closed before the answer');
      return answer;
    },
  };
}

function upstreamFor(h: Harness, watcher: CredentialWatcher, app: string, proxy = h.cluster.proxyAddr): Upstream {
  return createTeleportUpstream({ proxy, app, identity: watcher, extraCAs: [h.cluster.cas.public.cert.pem], insecure: false, headers: {}, logger: silentLogger });
}

describe('stream upstream (ALPN routing)', () => {
  let h: Harness;
  let bot: Awaited<ReturnType<Harness['bot']>>;
  const open: Upstream[] = [];
  const streams: Duplex[] = [];
  const upstream = (app = STDIO_APP) => {
    const u = upstreamFor(h, bot.watcher, app);
    open.push(u);
    return u;
  };
  const stream = async (u: Upstream) => {
    const s = await u.openStream();
    streams.push(s);
    return s;
  };

  beforeAll(async () => {
    h = await startHarness({ apps: [mcpApp(STDIO_APP, 'mcp+stdio://', { mcp: scriptedStdioCommand() }), mcpApp('sse', 'mcp+sse+http://127.0.0.1:9/sse'), mcpApp('http', 'mcp+http://127.0.0.1:9/mcp')] });
    bot = await h.bot({ name: 'agent', roles: ['mcp-all'], allowReissue: true });
  });
  afterEach(async () => {
    streams.splice(0).forEach((s) => s.destroy());
    for (const u of open.splice(0)) await u.close();
  });
  afterAll(() => h?.close());

  test('classifies stdio and SSE apps as stream, mcp+http as http', async () => {
    const [stdio, sse, http] = [upstream(), upstream('sse'), upstream('http')];
    await Promise.all([stdio.ready(), sse.ready(), http.ready()]);
    expect([stdio.transport(), sse.transport(), http.transport()]).toEqual(['stream', 'stream', 'http']);
  });

  test('opens a teleport-mcp-ping connection with the app certificate and carries newline JSON both ways', async () => {
    const u = upstream();
    const before = h.cluster.recorder.streams.length;
    const rpc = lines(await stream(u));
    expect(await rpc.call('initialize', { protocolVersion: '2025-06-18' })).toMatchObject({ result: { serverInfo: { name: 'scripted' } } });
    expect(await rpc.call('echo', { text: 'over the stream' })).toMatchObject({ result: { params: { text: 'over the stream' } } });
    const entry = h.cluster.recorder.streams[before]!;
    expect(entry).toMatchObject({ alpn: 'teleport-mcp-ping', username: 'bot-agent', appName: STDIO_APP, outcome: 'served' });
  });

  test('a new identity generation gives the next connection a new certificate and leaves the live one alone', async () => {
    const u = upstream();
    const first = lines(await stream(u));
    await first.call('before');
    const firstSerial = h.cluster.recorder.streams.at(-1)!.certSerial;
    const generation = bot.watcher.current().generation;
    await h.cluster.control.renewNow();
    await until(() => bot.watcher.current().generation > generation);
    const second = lines(await stream(u));
    await second.call('after');
    expect(h.cluster.recorder.streams.at(-1)!.certSerial).not.toBe(firstSerial);
    expect(await first.call('still-alive')).toMatchObject({ result: { method: 'still-alive' } });
  });

  test('an expired app session closes the stream without a byte; recoverFrom(stream-closed) issues a new certificate', async () => {
    const u = upstream();
    await lines(await stream(u)).call('warm-up');
    h.cluster.control.expireAppSessions();
    const refused = await stream(u);
    let bytes = 0;
    refused.on('data', (chunk: Buffer) => (bytes += chunk.length));
    refused.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    await once(refused, 'close');
    expect(bytes).toBe(0);
    expect(await u.recoverFrom({ kind: 'stream-closed' })).toMatchObject({ action: 'retry' });
    expect(await lines(await stream(u)).call('after-recovery')).toMatchObject({ result: { method: 'after-recovery' } });
  });
});

describe('stream upstream through HTTPS_PROXY and an L7 load balancer', () => {
  let h: Harness;
  let corp: ConnectProxy;
  const saved = process.env.HTTPS_PROXY;

  beforeAll(async () => {
    corp = await startConnectProxy({ hosts: { [PROXY_HOSTNAME]: '127.0.0.1' } });
    h = await startHarness({ l7LoadBalancer: true, apps: [mcpApp(STDIO_APP, 'mcp+stdio://', { mcp: scriptedStdioCommand() })] });
    process.env.HTTPS_PROXY = corp.url;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.HTTPS_PROXY;
    else process.env.HTTPS_PROXY = saved;
    await h?.close();
    await corp?.close();
  });

  test('dials inside the connection upgrade (alpn), itself tunnelled through the corporate proxy', async () => {
    const { watcher } = await h.bot({ name: 'agent', roles: ['mcp-all'], allowReissue: true });
    const u = upstreamFor(h, watcher, STDIO_APP, `${PROXY_HOSTNAME}:${h.cluster.proxyPort}`);
    try {
      const upgradesBefore = h.cluster.control.counters().connectionUpgrades;
      const tunnelsBefore = corp.tunnels.length;
      const s = await u.openStream();
      expect(await lines(s).call('through-everything')).toMatchObject({ result: { method: 'through-everything' } });
      s.destroy();
      expect(h.cluster.control.counters().connectionUpgrades).toBeGreaterThan(upgradesBefore);
      expect(corp.tunnels.length).toBeGreaterThan(tunnelsBefore);
      expect(h.cluster.recorder.streams.at(-1)).toMatchObject({ alpn: 'teleport-mcp-ping', outcome: 'served' });
    } finally {
      await u.close();
    }
  });
});
