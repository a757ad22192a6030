import { CountingUpstream, InProcessRelay } from '../support/in-process-relay';
import { MapVerdictStore } from '../support/map-verdict-store';
import { json, result, ScriptedServer, SseResponse } from '../support/scripted-server';

/** A requestState a careless relay would alter: escapes, a line separator, non-ASCII. */
const STATE = 'st:"quoted"\\back\u2028é😀=?base64?x?=';
const call = (id: unknown, name: string, extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {}, ...extra } });

let server: ScriptedServer;
let store: MapVerdictStore;
let relay: InProcessRelay;

beforeEach(async () => {
  server = await ScriptedServer.start();
  server.stateless = true;
  server.discover = { supportedVersions: ['2026-07-28'], capabilities: { tools: { listChanged: true }, resources: { subscribe: true }, logging: {} }, ttlMs: 0, cacheScope: 'private' };
  store = new MapVerdictStore();
  relay = new InProcessRelay({ upstream: new CountingUpstream(server.url), eraStore: store });
});

afterEach(async () => {
  await relay.end();
  await server.close();
});

/** A 2025 client's start: initialize (declaring elicitation) and initialized. */
async function start(): Promise<void> {
  relay.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: { elicitation: {} }, clientInfo: { name: 'old-client', version: '1.2' } } });
  await relay.answerTo('init');
  relay.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

/** The stdio client answering the server→client request `method` with `answer` (a result or an error). */
async function clientAnswers(method: string, answer: Record<string, unknown>): Promise<any> {
  const [asked] = await relay.until((all) => all.some((m) => m.method === method && m.id !== undefined)).then((all) => all.filter((m) => m.method === method));
  relay.send({ jsonrpc: '2.0', id: asked.id, ...answer });
  return asked;
}

test("every request carries the client's version, capabilities, identity and log level in _meta; ping and setLevel stay local", async () => {
  server.handle('tools/list', (message, res) => json(res, result(message.id, { tools: [], ttlMs: 0, cacheScope: 'private' })));
  await start();
  relay.send({ jsonrpc: '2.0', id: 'p', method: 'ping' });
  expect((await relay.answerTo('p')).result).toEqual({});
  relay.send({ jsonrpc: '2.0', id: 'lvl', method: 'logging/setLevel', params: { level: 'warning' } });
  expect((await relay.answerTo('lvl')).result).toEqual({});
  relay.send({ jsonrpc: '2.0', id: 'list', method: 'tools/list', params: { _meta: { progressToken: 'mine' } } });
  await relay.answerTo('list');
  const [list] = server.posted('tools/list');
  expect(list.message.params._meta).toEqual({
    progressToken: 'mine',
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
    'io.modelcontextprotocol/clientInfo': { name: 'old-client', version: '1.2' },
    'io.modelcontextprotocol/logLevel': 'warning',
  });
  expect(list.headers).toMatchObject({ 'mcp-method': 'tools/list', 'mcp-protocol-version': '2026-07-28' });
  expect(server.posted('ping')).toHaveLength(0);
  expect(server.posted('logging/setLevel')).toHaveLength(0);
  expect(server.posted('initialize')).toHaveLength(0);
});

test('an input_required result becomes an elicitation request to the client, and its answer completes the call with the exact requestState', async () => {
  server.handle('tools/call', (message, res) => {
    const { inputResponses, requestState } = message.params;
    if (!inputResponses) {
      return json(res, result(message.id, { resultType: 'input_required', inputRequests: { confirm: { method: 'elicitation/create', params: { message: 'Sure?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, requestState: STATE }));
    }
    json(res, result(message.id, { resultType: 'complete', content: [{ type: 'text', text: `answer ${JSON.stringify(inputResponses.confirm)} state intact: ${requestState === STATE}` }] }));
  });
  await start();
  relay.send(call(5, 'deploy'));
  const asked = await clientAnswers('elicitation/create', { result: { action: 'accept', content: { ok: true } } });
  expect(asked.params.message).toBe('Sure?');
  expect(String(asked.id)).toMatch(/^mcp-bridge-input-/);
  const answer = await relay.answerTo(5);
  expect(answer.result.content[0].text).toBe('answer {"action":"accept","content":{"ok":true}} state intact: true');
  const [first, retry] = server.posted('tools/call');
  expect(first.message.id).toBe(5);
  expect(retry.message.id).not.toBe(5);
  expect(retry.message.params).toMatchObject({ name: 'deploy', arguments: {}, requestState: STATE });
});

test('a server that never stops asking gets a tagged error after a bounded number of rounds', async () => {
  server.handle('tools/call', (message, res) => json(res, result(message.id, { resultType: 'input_required', requestState: 'again' })));
  await start();
  relay.send(call('loop', 'loop'));
  const answer = await relay.answerTo('loop');
  expect(answer.error.data).toMatchObject({ tag: 'MCP_BRIDGE_INPUT_REQUIRED_LOOP', rounds: 10 });
  expect(server.posted('tools/call')).toHaveLength(10);
});

test('a requestState too large to send back is a tagged error, not a retry', async () => {
  server.handle('tools/call', (message, res) => json(res, result(message.id, { resultType: 'input_required', requestState: 'x'.repeat(1024 * 1024 + 1) })));
  await start();
  relay.send(call('big', 'big'));
  expect((await relay.answerTo('big')).error.data).toMatchObject({ tag: 'MCP_BRIDGE_REQUEST_STATE_TOO_LARGE', limit: 1024 * 1024 });
  expect(server.posted('tools/call')).toHaveLength(1);
});

test('a client that cannot answer the input request fails the call with its reason', async () => {
  server.handle('tools/call', (message, res) => json(res, result(message.id, { resultType: 'input_required', inputRequests: { roots: { method: 'roots/list' } } })));
  await start();
  relay.send(call('r', 'needs-roots'));
  await clientAnswers('roots/list', { error: { code: -32601, message: 'Method not found' } });
  const answer = await relay.answerTo('r');
  expect(answer.error.data.tag).toBe('MCP_BRIDGE_INPUT_REQUEST_FAILED');
  expect(answer.error.message).toContain('-32601 Method not found');
});

test('a call cancelled while the client is being asked tells the client its question is moot', async () => {
  server.handle('tools/call', (message, res) => json(res, result(message.id, { resultType: 'input_required', inputRequests: { q: { method: 'elicitation/create', params: { message: 'Hm?' } } } })));
  await start();
  relay.send(call('c', 'ask'));
  const [asked] = await relay.until((all) => all.some((m) => m.method === 'elicitation/create'));
  relay.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c' } });
  expect((await relay.answerTo('c')).error.data.tag).toBe('MCP_BRIDGE_REQUEST_CANCELLED');
  const moot = relay.messages.find((m) => m.method === 'notifications/cancelled');
  expect(moot.params.requestId).toBe(relay.messages.find((m) => m.method === 'elicitation/create').id);
  expect(asked).toBeDefined();
});

test('list changes and subscribed resource updates reach the client through subscriptions/listen, without its subscription id', async () => {
  const listens: Array<{ message: any; sse: SseResponse }> = [];
  server.handle('subscriptions/listen', async (message, res) => {
    const sse = new SseResponse(res);
    listens.push({ message, sse });
    await sse.send({ data: { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': message.id }, notifications: message.params.notifications } } });
  });
  await start();
  await server.until(() => listens.length === 1);
  expect(listens[0].message.params.notifications).toEqual({ toolsListChanged: true });
  const tag = (id: unknown) => ({ _meta: { 'io.modelcontextprotocol/subscriptionId': id } });
  await listens[0].sse.send({ data: { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: tag(listens[0].message.id) } });
  const changed = (await relay.until((all) => all.some((m) => m.method === 'notifications/tools/list_changed'))).find((m) => m.method === 'notifications/tools/list_changed');
  expect(changed.params).toBeUndefined();

  relay.send({ jsonrpc: '2.0', id: 'sub', method: 'resources/subscribe', params: { uri: 'memo://counter' } });
  expect((await relay.answerTo('sub')).result).toEqual({});
  expect(listens[1].message.params.notifications).toEqual({ toolsListChanged: true, resourceSubscriptions: ['memo://counter'] });
  await listens[1].sse.send({ data: { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'memo://counter', ...tag(listens[1].message.id) } } });
  const updated = (await relay.until((all) => all.some((m) => m.method === 'notifications/resources/updated'))).find((m) => m.method === 'notifications/resources/updated');
  expect(updated.params).toEqual({ uri: 'memo://counter' });
  expect(relay.messages.some((m) => m.method === 'notifications/subscriptions/acknowledged')).toBe(false);
  expect(server.posted('resources/subscribe')).toHaveLength(0);
});

test('a server that listed 2026-07-28 and then refuses it is a tagged contradiction, and is detected again next time', async () => {
  server.handle('tools/list', (message, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2026-09-01'] } } }));
  });
  await start();
  expect(store.era(`url:${server.url}`)).toBe('modern');
  relay.send({ jsonrpc: '2.0', id: 'l', method: 'tools/list' });
  expect((await relay.answerTo('l')).error.data.tag).toBe('MCP_BRIDGE_ERA_CONTRADICTION');
  await relay.until(() => store.entries.size === 0);
});

test('requests right after initialized wait for the listen stream to be acknowledged, so no list change is missed', async () => {
  const order: string[] = [];
  server.handle('subscriptions/listen', async (message, res) => {
    const sse = new SseResponse(res);
    // A slow acknowledgement: a call not held back would reach the server first.
    await new Promise((resolve) => setTimeout(resolve, 300));
    order.push('acknowledged');
    await sse.send({ data: { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': message.id }, notifications: {} } } });
  });
  server.handle('tools/call', (message, res) => {
    order.push('called');
    json(res, result(message.id, { content: [{ type: 'text', text: 'changed something' }] }));
  });
  await start();
  relay.send(call('early', 'change'));
  expect((await relay.answerTo('early')).result.content[0].text).toBe('changed something');
  expect(order).toEqual(['acknowledged', 'called']);
});
