import type { Dispatcher } from 'undici';
import type { Upstream } from '../../../src/upstream/types';
import { CountingUpstream, InProcessRelay } from '../support/in-process-relay';
import { MapVerdictStore } from '../support/map-verdict-store';
import { json, result, ScriptedServer } from '../support/scripted-server';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
const initialize = { jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: { elicitation: {} }, clientInfo: { name: 'old', version: '1' } } };
const discover = { jsonrpc: '2.0', id: 'probe', method: 'server/discover', params: { _meta: META } };

let server: ScriptedServer;
let relays: InProcessRelay[] = [];
let store: MapVerdictStore;

beforeEach(async () => {
  server = await ScriptedServer.start();
  store = new MapVerdictStore();
  relays = [];
});

afterEach(async () => {
  await Promise.all(relays.map((relay) => relay.end()));
  await server.close();
});

/** A bridge process for this test's server, sharing `store` with the others (the user's cache). */
function bridge(upstream: Upstream = new CountingUpstream(server.url)): InProcessRelay {
  const relay = new InProcessRelay({ upstream, eraStore: store });
  relays.push(relay);
  return relay;
}

const key = () => `url:${server.url}`;

/** The server answers initialize as a 2026-07-28-only server does: 400, -32022, the versions it supports. */
function refuseLegacyInitialize(): void {
  server.handle('initialize', (message, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2026-07-28'] } } }));
  });
}

test('a 2025 server is probed once with a 2026-07-28 server/discover carrying its headers, then served as a session; the next process does not probe', async () => {
  const first = bridge();
  expect((await first.initialize()).result.serverInfo.name).toBe('scripted');
  const [probe] = server.posted('server/discover');
  expect(probe.headers).toMatchObject({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' });
  expect(probe.message.params._meta).toMatchObject({ 'io.modelcontextprotocol/clientInfo': { name: 'test' } });
  expect(store.era(key())).toBe('legacy');

  await bridge().initialize();
  expect(server.posted('server/discover')).toHaveLength(1);
  expect(server.posted('initialize')).toHaveLength(2);
});

test('a 2025 client of a 2026-07-28 server gets its initialize answered from server/discover, in its own version', async () => {
  server.stateless = true;
  server.discover = { supportedVersions: ['2026-07-28'], capabilities: { tools: { listChanged: false } }, instructions: 'use wisely', ttlMs: 0, cacheScope: 'private' };
  const relay = bridge();
  relay.send(initialize);
  const answer = await relay.answerTo('init');
  expect(answer.result).toEqual({ protocolVersion: '2025-06-18', capabilities: { tools: { listChanged: false } }, serverInfo: { name: 'scripted', version: '1.0.0' }, instructions: 'use wisely' });
  expect(server.posted('initialize')).toHaveLength(0);
  expect(store.era(key())).toBe('modern');
});

test("a 2026-07-28 client's server/discover is answered -32601 at once when the server is remembered as 2025-only: nothing waits for the upstream", async () => {
  await store.write(key(), { era: 'legacy', checkedAt: Date.now() - 60_000 }, new Date(Date.now() + 60_000));
  const counting = new CountingUpstream(server.url);
  // An upstream still getting ready (through Teleport: certificates being issued) — never, here.
  const neverReady: Upstream = Object.assign(Object.create(counting) as Upstream, { ready: () => new Promise<void>(() => undefined), dispatcher: (): Dispatcher => counting.dispatcher() });
  const relay = bridge(neverReady);
  relay.send(discover);
  const answer = await relay.answerTo('probe');
  expect(answer.error).toMatchObject({ code: -32601, data: { tag: 'MCP_BRIDGE_LEGACY_SERVER' } });
  expect(server.requests).toHaveLength(0);
});

test("a 2025-only verdict checked over an hour ago answers no server/discover by itself: the server, upgraded meanwhile, is asked and remembered as 2026-07-28", async () => {
  await store.write(key(), { era: 'legacy', checkedAt: Date.now() - 2 * 3600_000 }, new Date(Date.now() + 60_000));
  server.stateless = true;
  const relay = bridge();
  relay.send(discover);
  expect((await relay.answerTo('probe')).result.supportedVersions).toEqual(['2026-07-28']);
  expect(store.era(key())).toBe('modern');
});

test('a 2025-only verdict checked over an hour ago and confirmed by the server is checked again no sooner than an hour later', async () => {
  await store.write(key(), { era: 'legacy', checkedAt: Date.now() - 2 * 3600_000 }, new Date(Date.now() + 60_000));
  const first = bridge();
  first.send(discover);
  expect((await first.answerTo('probe')).error.code).toBe(-32601);
  expect(server.posted('server/discover')).toHaveLength(1);
  const second = bridge();
  second.send(discover);
  expect((await second.answerTo('probe')).error.code).toBe(-32601);
  expect(server.posted('server/discover')).toHaveLength(1);
});

test("a 2026-07-28 client's server/discover goes to a server not yet known, and decides its era for the next process", async () => {
  server.stateless = true;
  const relay = bridge();
  relay.send(discover);
  expect((await relay.answerTo('probe')).result.supportedVersions).toEqual(['2026-07-28']);
  expect(store.era(key())).toBe('modern');

  const legacyServer = await ScriptedServer.start();
  try {
    const other = bridge(new CountingUpstream(legacyServer.url));
    other.send(discover);
    expect((await other.answerTo('probe')).error.code).toBe(-32601);
    expect(store.era(`url:${legacyServer.url}`)).toBe('legacy');
  } finally {
    await legacyServer.close();
  }
});

test('a server remembered as 2026-07-28 that now answers the 2025 way is found out at the first request', async () => {
  await store.write(key(), { era: 'modern', version: '2026-07-28' }, new Date(Date.now() + 60_000));
  const relay = bridge();
  relay.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } });
  expect((await relay.answerTo(1)).error).toMatchObject({ code: -32601, data: { tag: 'MCP_BRIDGE_LEGACY_SERVER' } });
  expect(store.era(key())).toBe('legacy');
  relay.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: META } });
  expect((await relay.answerTo(2)).error.code).toBe(-32601);
  expect(server.requests).toHaveLength(1);
});

test('a server remembered as 2025-only that now refuses initialize the 2026-07-28 way is detected again and translated', async () => {
  await store.write(key(), { era: 'legacy' }, new Date(Date.now() + 60_000));
  server.stateless = true;
  refuseLegacyInitialize();
  const relay = bridge();
  relay.send(initialize);
  expect((await relay.answerTo('init')).result.serverInfo.name).toBe('scripted');
  expect(server.posted('initialize')).toHaveLength(1);
  expect(server.posted('server/discover')).toHaveLength(1);
  expect(store.era(key())).toBe('modern');
});

test("a probe that gets only a gateway's bare 502 decides nothing: the 2025 client's own initialize is sent and answered, nothing is remembered", async () => {
  // A gateway that could not tell whether it delivered the probe (an early Teleport build's bare 502).
  server.gate = (seen, res) => {
    if (seen.message?.method !== 'server/discover') return false;
    res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
    return true;
  };
  const relay = bridge();
  expect((await relay.initialize()).result.serverInfo.name).toBe('scripted');
  expect(server.posted('server/discover')).toHaveLength(1);
  expect(server.posted('initialize')).toHaveLength(1);
  expect(store.era(key())).toBeUndefined();
});

test('a 2025 server that answers server/discover with an empty result is served as a session', async () => {
  server.handle('server/discover', (message, res) => json(res, result(message.id, {})));
  const relay = bridge();
  expect((await relay.initialize()).result.serverInfo.name).toBe('scripted');
  expect(store.era(key())).toBe('legacy');
});

test('a modern server whose server/discover answer is malformed gets a tagged error, and nothing is remembered', async () => {
  server.stateless = true;
  server.handle('server/discover', (message, res) => json(res, result(message.id, { capabilities: {} })));
  refuseLegacyInitialize();
  const relay = bridge();
  relay.send(initialize);
  expect((await relay.answerTo('init')).error.data.tag).toBe('MCP_BRIDGE_DISCOVER_INVALID');
  expect(store.entries.size).toBe(0);
  relay.send(discover);
  expect((await relay.answerTo('probe')).error.data.tag).toBe('MCP_BRIDGE_DISCOVER_INVALID');
});
