import { CountingUpstream, InProcessRelay, capturingLogger, type CapturedLog } from './support/in-process-relay';
import { json, ScriptedServer, SseResponse } from './support/scripted-server';

const logMessage = (seq: number) => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: seq } });
const logsSeen = (relay: InProcessRelay) => relay.messages.filter((m) => m.method === 'notifications/message').map((m) => m.params.data);
const reconnectDelays = (lines: any[]) => lines.filter((l) => l.msg === 'server stream: reconnecting').map((l) => l.delayMs);

let server: ScriptedServer;
let upstream: CountingUpstream;
let relay: InProcessRelay;
let log: CapturedLog;

beforeEach(async () => {
  server = await ScriptedServer.start();
  upstream = new CountingUpstream(server.url);
});

afterEach(async () => {
  await relay.end();
  await server.close();
});

async function startRelay(): Promise<void> {
  log = capturingLogger();
  relay = new InProcessRelay({ upstream, logger: log.logger });
  await relay.initialize();
}

const gets = () => server.requests.filter((r) => r.httpMethod === 'GET');

test('a dropped server stream is reopened with Last-Event-ID after the server\'s retry: delay, and replayed events are delivered once', async () => {
  server.onGet = async (res, seen) => {
    const sse = new SseResponse(res);
    if (!seen.lastEventId) {
      await sse.send({ id: 'g1', retry: 40, data: logMessage(1) });
      await sse.send({ id: 'g2', data: logMessage(2) });
      return sse.end();
    }
    await sse.send({ id: 'g2', data: logMessage(2) }); // replayed: the client already has it
    await sse.send({ id: 'g3', data: logMessage(3) }); // then held open
  };
  await startRelay();
  await relay.until(() => logsSeen(relay).includes(3));
  expect(logsSeen(relay)).toEqual([1, 2, 3]);
  expect(gets().map((r) => r.lastEventId)).toEqual([undefined, 'g2']);
  expect(reconnectDelays(log.lines)).toEqual([40]);
});

test('a server stream the server keeps refusing is retried with exponential backoff until it answers 405', async () => {
  server.onGet = (res) => void res.writeHead(gets().length <= 3 ? 503 : 405).end();
  await startRelay();
  await log.logged('server offers no server stream (405)');
  expect(gets()).toHaveLength(4);
  expect(reconnectDelays(log.lines)).toEqual([250, 500, 1000]);
});

test('a 403 on the server stream asks upstream.recover() and reconnects at once', async () => {
  server.gate = (seen, res) => {
    if (seen.httpMethod !== 'GET' || gets().length > 1) return false;
    res.writeHead(403, { 'content-type': 'text/plain' }).end('invalid session');
    return true;
  };
  server.onGet = async (res) => void (await new SseResponse(res).send({ data: logMessage(1) }));
  await startRelay();
  await relay.until(() => logsSeen(relay).includes(1));
  expect(upstream.recoverCalls).toEqual([expect.objectContaining({ kind: 'status', status: 403, body: 'invalid session' })]);
  expect(reconnectDelays(log.lines)).toEqual([]);
});

test('messages sent right after notifications/initialized wait until the server answered the GET stream, so what the server sends there at once (an elicitation with no related request) is not lost', async () => {
  let stream: SseResponse | undefined;
  server.onGet = (res) => {
    stream = new SseResponse(res);
  };
  const elicit = { jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: { message: 'sure?', requestedSchema: { type: 'object', properties: {} } } };
  server.handle('tools/call', async (message, res) => {
    // As an SDK server does with a request it cannot relate to a call: onto the GET stream, or nowhere.
    if (stream) await stream.send({ data: elicit });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { content: [], streamOpen: stream !== undefined } }));
  });
  log = capturingLogger();
  relay = new InProcessRelay({ upstream, logger: log.logger });
  relay.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: { elicitation: {} }, clientInfo: { name: 't', version: '1' } } });
  await relay.answerTo('init');
  // The client's next messages in one write, as SDK clients send them.
  relay.send({ jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } });
  expect((await relay.answerTo(1)).result.streamOpen).toBe(true);
  await relay.until((all) => all.some((m) => m.method === 'elicitation/create'));
});

test("a response the server sends on the GET stream instead of the call's resumed stream answers the call, once", async () => {
  // The conformance suite's sse-retry server: it closes the call's stream after a priming event with retry:, then
  // answers on whichever GET comes next; here the standalone stream, while the resumption is left hanging.
  let stream: SseResponse | undefined;
  const resumptions: string[] = [];
  server.onGet = (res, seen) => {
    if (seen.lastEventId) resumptions.push(seen.lastEventId);
    else stream = new SseResponse(res);
  };
  server.handle('tools/call', async (message, res) => {
    const sse = new SseResponse(res);
    await sse.send({ id: 'p1', retry: 50, data: '' });
    sse.end();
    const answer = { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'from the GET stream' }] } };
    await stream!.send({ id: 's1', data: answer });
    await stream!.send({ id: 's2', data: answer }); // a second copy is not a second answer
  });
  await startRelay();
  relay.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x', arguments: {} } });
  expect((await relay.answerTo(7)).result.content[0].text).toBe('from the GET stream');
  server.handle('ping', (message, res) => json(res, { jsonrpc: '2.0', id: message.id, result: {} }));
  relay.send({ jsonrpc: '2.0', id: 8, method: 'ping' });
  await relay.answerTo(8);
  expect(relay.messages.filter((m) => m.id === 7)).toHaveLength(1);
  expect(resumptions.length).toBeLessThanOrEqual(1);
});
