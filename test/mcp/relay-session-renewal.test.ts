import { CountingUpstream, InProcessRelay, call } from './support/in-process-relay';
import { ScriptedServer, SseResponse, json, result } from './support/scripted-server';

/** What the MCP TypeScript SDK (and so server-everything) answers for an unknown session. */
const SDK_NO_VALID_SESSION = JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });

let server: ScriptedServer;
let relay: InProcessRelay;

beforeEach(async () => {
  server = await ScriptedServer.start();
  server.handle('tools/call', (m, res) => json(res, result(m.id, { content: [{ type: 'text', text: `ran ${m.params.name}` }] })));
  server.onGet = (res) => void new SseResponse(res); // the server stream, held open until a "restart" drops it
  relay = new InProcessRelay({ upstream: new CountingUpstream(server.url) });
  await relay.initialize();
  await server.until((seen) => seen.some((r) => r.httpMethod === 'GET')); // initialized delivered, server stream open
});

afterEach(async () => {
  await relay.end();
  await server.close();
});

test.each([
  ['404', { status: 404, body: 'session not found' }],
  ['400 "no valid session"', { status: 400, body: SDK_NO_VALID_SESSION }],
])('a session the server lost (%s) is replaced by replaying initialize and initialized, then the request is retried', async (_what, gone) => {
  server.sessionGone = gone;
  const [original] = server.posted('initialize');
  server.forgetSessions(false); // the server stream stays up, so the request is the first to find out
  relay.send(call(1, 'after-restart'));
  expect((await relay.answerTo(1)).result.content[0].text).toBe('ran after-restart');
  const initializes = server.posted('initialize');
  expect(initializes).toHaveLength(2);
  expect(initializes[1].message.params).toEqual(original.message.params);
  expect(server.posted('notifications/initialized')).toHaveLength(2);
  const calls = server.posted('tools/call');
  expect(calls).toHaveLength(2);
  expect(server.sessions.has(calls[1].sessionId!)).toBe(true);
});

test('a 404 whose body is a JSON-RPC "method not found" (a dual-era server on an unknown method) is relayed, not taken for a lost session', async () => {
  server.handle('nope/nothing', (m, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } }));
  });
  relay.send({ jsonrpc: '2.0', id: 'u', method: 'nope/nothing' });
  expect((await relay.answerTo('u')).error).toEqual({ code: -32601, message: 'Method not found' });
  expect(server.posted('initialize')).toHaveLength(1);
});

test('concurrent requests that all find the session gone share one re-initialisation, and the GET stream follows the new session', async () => {
  server.forgetSessions();

  relay.send(...Array.from({ length: 6 }, (_, i) => call(`c${i}`, `t${i}`)));
  for (let i = 0; i < 6; i++) expect((await relay.answerTo(`c${i}`)).result.content[0].text).toBe(`ran t${i}`);
  expect(server.posted('initialize')).toHaveLength(2);
  expect(server.posted('notifications/initialized')).toHaveLength(2);
  const [newSession] = server.sessions;
  await server.until((seen) => seen.some((r) => r.httpMethod === 'GET' && r.sessionId === newSession));
});

test('a server that comes back with a different serverInfo fails requests with SERVER_CHANGED, telling the user to restart the client', async () => {
  server.forgetSessions(false);
  server.serverInfo = { name: 'scripted', version: '2.0.0' };
  relay.send(call(2, 'x'));
  const { error } = await relay.answerTo(2);
  expect(error.data.tag).toBe('MCP_BRIDGE_SERVER_CHANGED');
  expect(error.message).toContain('is now scripted 2.0.0');
  expect(error.message).toContain('Restart the MCP client');
  relay.send(call(3, 'y'));
  expect((await relay.answerTo(3)).error.data.tag).toBe('MCP_BRIDGE_SERVER_CHANGED');
  expect(server.posted('initialize')).toHaveLength(2);
  expect(server.posted('tools/call')).toHaveLength(1);
});
