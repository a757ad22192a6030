import { CountingUpstream, InProcessRelay, call } from './support/in-process-relay';
import { ScriptedServer, json, result } from './support/scripted-server';

let server: ScriptedServer;
let upstream: CountingUpstream;
let relay: InProcessRelay;
let refusals: number;

beforeEach(async () => {
  server = await ScriptedServer.start();
  server.handle('tools/call', (m, res) => json(res, result(m.id, { content: [{ type: 'text', text: 'ran' }] })));
  // A proxy in front of the server refusing expired credentials (Teleport answers 403 "invalid session").
  server.gate = (seen, res) => {
    if (seen.message?.method !== 'tools/call' || refusals === 0) return false;
    refusals--;
    res.writeHead(403, { 'content-type': 'text/plain' }).end('invalid session');
    return true;
  };
  upstream = new CountingUpstream(server.url);
  relay = new InProcessRelay({ upstream });
  await relay.initialize();
});

afterEach(async () => {
  await relay.end();
  await server.close();
});

test('a 403 makes the relay call upstream.recover() and retry the request once with the fresh credentials', async () => {
  refusals = 1;
  relay.send(call(1, 'x'));
  expect((await relay.answerTo(1)).result.content[0].text).toBe('ran');
  expect(upstream.recoverCalls).toEqual([expect.objectContaining({ kind: 'status', status: 403, body: 'invalid session' })]);
  expect(server.posted('tools/call')).toHaveLength(2);
});

test('a 403 that persists after recovery is retried only once and reported as UPSTREAM_STATUS 403', async () => {
  refusals = Infinity;
  relay.send(call(2, 'x'));
  const { error } = await relay.answerTo(2);
  expect(error.data).toEqual({ tag: 'MCP_BRIDGE_UPSTREAM_STATUS', status: 403 });
  expect(error.message).toContain('HTTP 403: invalid session');
  expect(upstream.recoverCalls).toHaveLength(1);
  expect(server.posted('tools/call')).toHaveLength(2);
});

test('when recover() cannot fix a 403 the request is not retried', async () => {
  refusals = 1;
  upstream.recoverResult = false;
  relay.send(call(3, 'x'));
  expect((await relay.answerTo(3)).error.data.status).toBe(403);
  expect(upstream.recoverCalls).toHaveLength(1);
  expect(server.posted('tools/call')).toHaveLength(1);
});
