import type { ServerResponse } from 'node:http';
import { CountingUpstream, InProcessRelay, call } from './support/in-process-relay';
import { ScriptedServer, SseResponse, json, result } from './support/scripted-server';

const progress = (n: number) => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p', progress: n } });
const progressSeen = (relay: InProcessRelay) => relay.messages.filter((m) => m.method === 'notifications/progress').map((m) => m.params.progress);
const text = (value: string) => ({ content: [{ type: 'text', text: value }] });

let server: ScriptedServer;
let upstream: CountingUpstream;
let relay: InProcessRelay;

beforeEach(async () => {
  server = await ScriptedServer.start();
  upstream = new CountingUpstream(server.url);
  relay = new InProcessRelay({ upstream });
  await relay.initialize();
  await server.until((seen) => seen.some((r) => r.httpMethod === 'GET')); // the GET stream asked (405) and stopped
});

afterEach(async () => {
  await relay.end();
  await server.close();
});

test('a request whose connection was refused before it was sent is resent on a new connection and answered', async () => {
  server.handle('tools/call', (m, res) => json(res, result(m.id, text('ran'))));
  await upstream.refuseNextConnection();
  relay.send(call(1, 'work'));
  expect((await relay.answerTo(1)).result).toEqual(text('ran'));
  expect(server.posted('tools/call')).toHaveLength(1);
});

test('a response stream with event ids that is cut off is resumed with GET Last-Event-ID; replayed events arrive once', async () => {
  server.handle('tools/call', async (_m, res) => {
    const sse = new SseResponse(res);
    await sse.send({ id: 'e1', retry: 10, data: progress(1) });
    sse.cut();
  });
  server.onGet = async (res, seen) => {
    if (seen.lastEventId !== 'e1') return void res.writeHead(405).end();
    const sse = new SseResponse(res);
    await sse.send({ id: 'e1', data: progress(1) }); // already delivered before the cut
    await sse.send({ id: 'e2', data: progress(2) });
    await sse.send({ id: 'e3', data: result(7, text('resumed')) });
    sse.end();
  };
  relay.send(call(7, 'work'));
  expect(await relay.answerTo(7)).toEqual(result(7, text('resumed')));
  expect(progressSeen(relay)).toEqual([1, 2]);
  expect(server.posted('tools/call')).toHaveLength(1);
  expect(server.requests.filter((r) => r.lastEventId).map((r) => r.lastEventId)).toEqual(['e1']);
});

test('a server that closes the response stream after every event (SSE polling) is followed until the answer', async () => {
  const POLLS = 6;
  server.handle('tools/call', async (_m, res) => {
    const sse = new SseResponse(res);
    await sse.send({ id: '1', retry: 5, data: progress(1) });
    sse.end();
  });
  server.onGet = async (res, seen) => {
    if (!seen.lastEventId) return void res.writeHead(405).end();
    const next = Number(seen.lastEventId) + 1;
    const sse = new SseResponse(res);
    await sse.send({ id: String(next), data: next > POLLS ? result(8, text('polled')) : progress(next) });
    sse.end();
  };
  relay.send(call(8, 'slow'));
  expect((await relay.answerTo(8)).result).toEqual(text('polled'));
  expect(progressSeen(relay)).toEqual([1, 2, 3, 4, 5, 6]);
});

const cutOffs: Array<[string, (res: ServerResponse) => void | Promise<void>]> = [
  ['the connection drops before any answer', (res) => void res.socket?.destroy()],
  [
    'a JSON answer is cut off mid-body',
    (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"jsonrpc":"2.0","id":9,"res', () => res.socket?.destroy());
    },
  ],
  [
    // What Teleport's App Service does after a size limit, a crash or bad JSON: the response ends normally.
    'a response stream without event ids ends cleanly before the response',
    async (res) => {
      const sse = new SseResponse(res);
      await sse.send({ data: progress(1) });
      sse.end();
    },
  ],
  [
    'a response stream without event ids is cut off',
    async (res) => {
      const sse = new SseResponse(res);
      await sse.send({ data: progress(1) });
      sse.cut();
    },
  ],
  [
    'a response stream with event ids is cut off and the server cannot resume it',
    async (res) => {
      const sse = new SseResponse(res);
      await sse.send({ id: 'gone', retry: 5, data: progress(1) });
      sse.cut();
    },
  ],
];

test.each(cutOffs)('when %s, the request is answered MAY_HAVE_RUN and not resent', async (_what, answer) => {
  server.handle('tools/call', (_m, res) => answer(res));
  relay.send(call(9, 'side-effect'));
  const reply = await relay.answerTo(9);
  expect(reply.error.data.tag).toBe('MCP_BRIDGE_MAY_HAVE_RUN');
  expect(reply.error.message).toContain('Check whether the action took effect');
  expect(server.posted('tools/call')).toHaveLength(1);
  // The bridge keeps working on the same session.
  relay.send({ jsonrpc: '2.0', id: 10, method: 'ping' });
  expect((await relay.answerTo(10)).result).toEqual({});
});
