import { CountingUpstream, InProcessRelay } from '../support/in-process-relay';
import { MapVerdictStore } from '../support/map-verdict-store';
import { json, result, ScriptedServer, SseResponse } from '../support/scripted-server';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'new', version: '2' } };
const request = (id: unknown, method: string, params: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method, params: { ...params, _meta: META } });
const region = {
  name: 'lookup',
  inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, query: { type: 'string' } } },
};

let server: ScriptedServer;
let relay: InProcessRelay;

beforeEach(async () => {
  server = await ScriptedServer.start();
  server.stateless = true;
  const store = new MapVerdictStore();
  await store.write(`url:${server.url}`, { era: 'modern', version: '2026-07-28' }, new Date(Date.now() + 60_000));
  relay = new InProcessRelay({ upstream: new CountingUpstream(server.url), eraStore: store });
});

afterEach(async () => {
  await relay.end();
  await server.close();
});

test('each message is one POST with the headers derived from it and no session; the answer comes back byte for byte', async () => {
  server.handle('tools/list', (message, res) => json(res, result(message.id, { tools: [region], ttlMs: 5, cacheScope: 'public', resultType: 'complete' })));
  server.handle('tools/call', (message, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":{"content":[{"type":"text","text":"ok"}],  "resultType":"complete"}}`);
  });
  relay.send(request(1, 'tools/list'));
  await relay.answerTo(1);
  relay.send(request(2, 'tools/call', { name: 'lookup', arguments: { region: 'Zürich', query: 'q' } }));
  await relay.answerTo(2);
  expect(relay.lines.at(-1)).toBe('{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"ok"}],  "resultType":"complete"}}');
  const [call] = server.posted('tools/call');
  expect(call.headers).toMatchObject({
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'lookup',
    'mcp-param-region': `=?base64?${Buffer.from('Zürich').toString('base64')}?=`,
  });
  expect(call.headers['mcp-param-query']).toBeUndefined();
  expect(server.requests.every((r) => r.headers['mcp-session-id'] === undefined && r.httpMethod === 'POST')).toBe(true);
});

test('a tools/list that lost resultType, ttlMs and cacheScope on the way (Teleport re-serialises it) gets the neutral values back', async () => {
  server.handle('tools/list', (message, res) => json(res, result(message.id, { tools: [{ name: 'plain', inputSchema: { type: 'object' } }] })));
  relay.send(request(1, 'tools/list'));
  expect((await relay.answerTo(1)).result).toEqual({ resultType: 'complete', ttlMs: 0, cacheScope: 'private', tools: [{ name: 'plain', inputSchema: { type: 'object' } }] });
});

test('a header mismatch on a tool never listed through the bridge lists the tools and sends the call again with its headers', async () => {
  server.handle('tools/list', (message, res) => json(res, result(message.id, { tools: [region], ttlMs: 0, cacheScope: 'private' })));
  server.handle('tools/call', (message, res, req) => {
    if (req.headers['mcp-param-region'] !== 'eu') {
      res.writeHead(400, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32020, message: 'Header mismatch: Mcp-Param-Region missing' } }));
    }
    json(res, result(message.id, { content: [{ type: 'text', text: 'matched' }] }));
  });
  relay.send(request(7, 'tools/call', { name: 'lookup', arguments: { region: 'eu' } }));
  expect((await relay.answerTo(7)).result.content[0].text).toBe('matched');
  expect(server.posted('tools/list')).toHaveLength(1);
});

test('many calls stream at once, each on its own response; keep-alive comments are ignored', async () => {
  const ids = [1, 2, 3, 4, 5];
  const finishers: Array<() => void> = [];
  let allOpen!: () => void;
  const opened = new Promise<void>((resolve) => (allOpen = resolve));
  server.handle('tools/call', async (message, res) => {
    const sse = new SseResponse(res);
    res.write(':\n\n: keep-alive\n\n');
    await sse.send({ data: { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: message.id, progress: 1 } } });
    finishers.push(() => {
      res.write(':\r\n\r\n');
      void sse.send({ data: result(message.id, { content: [{ type: 'text', text: `done ${message.id}` }] }) }).then(() => sse.end());
    });
    if (finishers.length === ids.length) allOpen();
  });
  relay.send(...ids.map((id) => request(id, 'tools/call', { name: 'slow', _meta: { ...META, progressToken: id } })));
  await opened; // every call's stream is open before any is answered
  finishers.forEach((finish) => finish());
  for (const id of ids) expect((await relay.answerTo(id)).result.content[0].text).toBe(`done ${id}`);
  expect(relay.messages.filter((m) => m.method === 'notifications/progress')).toHaveLength(ids.length);
});

test("a client's notifications/cancelled closes the cancelled call's response stream (that is the cancellation on HTTP)", async () => {
  let closed!: () => void;
  const streamClosed = new Promise<void>((resolve) => (closed = resolve));
  server.handle('tools/call', (message, res) => {
    new SseResponse(res);
    res.once('close', closed);
  });
  relay.send(request('c', 'tools/call', { name: 'forever' }));
  await server.until((seen) => seen.length === 1);
  relay.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c', reason: 'user' } });
  await streamClosed;
  expect((await relay.answerTo('c')).error.data.tag).toBe('MCP_BRIDGE_REQUEST_CANCELLED');
  expect(server.posted('notifications/cancelled')).toHaveLength(0);
});

test('a subscriptions/listen stream stays open for the client: cut, it is listened to again with the same request', async () => {
  let listens = 0;
  const opened: SseResponse[] = [];
  server.handle('subscriptions/listen', async (message, res) => {
    listens++;
    const sse = new SseResponse(res);
    opened.push(sse);
    await sse.send({ data: { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': message.id }, notifications: { toolsListChanged: true } } } });
  });
  relay.send(request('listen:1', 'subscriptions/listen', { notifications: { toolsListChanged: true } }));
  await relay.until((all) => all.some((m) => m.method === 'notifications/subscriptions/acknowledged'));
  opened[0].cut();
  await server.until(() => listens === 2);
  expect(server.posted('subscriptions/listen').map((r) => r.message.id)).toEqual(['listen:1', 'listen:1']);
  await opened[1].send({ data: { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen:1' } } } });
  await relay.until((all) => all.some((m) => m.method === 'notifications/tools/list_changed'));
  expect(relay.messages.some((m) => m.id === 'listen:1' && !m.method)).toBe(false);
});

test('an unknown method is a 404 with a JSON-RPC body: relayed as the server said, not taken for a lost session', async () => {
  relay.send(request(9, 'nope/nothing'));
  expect((await relay.answerTo(9)).error).toEqual({ code: -32601, message: 'Method not found' });
  expect(server.requests).toHaveLength(1);
});

test('MRTR input_required results pass through to a 2026-07-28 client untouched', async () => {
  const asked = { resultType: 'input_required', inputRequests: { who: { method: 'elicitation/create', params: { message: 'Who?', requestedSchema: { type: 'object', properties: {} } } } }, requestState: 'opaque' };
  server.handle('tools/call', (message, res) => json(res, result(message.id, asked)));
  relay.send(request(3, 'tools/call', { name: 'ask' }));
  expect((await relay.answerTo(3)).result).toEqual(asked);
  expect(relay.messages.some((m) => m.method === 'elicitation/create')).toBe(false);
});
