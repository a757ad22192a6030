import { RawBridge } from './support/bridge';
import { startServerEverything, type ServerEverything } from '../../fixtures/upstreams';

let server: ServerEverything;
let bridge: RawBridge;
const line = (message: unknown) => JSON.stringify(message) + '\n';
const answerTo = (id: unknown) => (messages: any[]) => messages.some((m) => !Array.isArray(m) && m.id === id);
const find = (messages: any[], id: unknown) => messages.filter((m) => !Array.isArray(m) && m.id === id);

beforeAll(async () => {
  server = await startServerEverything();
  bridge = new RawBridge(['connect', '--url', server.url, '--max-message-size', String(1024 * 1024)]);
  bridge.send(line({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
  await bridge.until(answerTo('init'));
  bridge.send(line({ jsonrpc: '2.0', method: 'notifications/initialized' }));
});

afterAll(async () => {
  await bridge?.end();
  await server?.stop();
});

test('garbage and invalid UTF-8 get parse errors with id null, and the bridge keeps serving', async () => {
  const before = bridge.lines.length;
  bridge.send('this is not json\n');
  bridge.send(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":"u","method":"ping","x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
  bridge.send(line({ jsonrpc: '2.0', id: 'after-garbage', method: 'ping' }));
  const messages = await bridge.until(answerTo('after-garbage'));
  const parseErrors = messages.slice(before).filter((m) => m.error?.code === -32700);
  expect(parseErrors).toHaveLength(2);
  expect(parseErrors.every((m) => m.id === null)).toBe(true);
  expect(find(messages, 'after-garbage')[0].result).toEqual({});
});

test('valid JSON that is not JSON-RPC gets -32600 with its id when it has one', async () => {
  bridge.send(line({ id: 'no-version', method: 'ping' }));
  bridge.send(line([]));
  const messages = await bridge.until(answerTo('no-version'));
  expect(find(messages, 'no-version')[0].error.code).toBe(-32600);
});

test('a line over --max-message-size is answered MESSAGE_TOO_LARGE for its id and skipped', async () => {
  const huge = '{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"echo","arguments":{"message":"' + 'z'.repeat(8 * 1024 * 1024) + '"}}}\n';
  bridge.send(huge);
  bridge.send(line({ jsonrpc: '2.0', id: 'after-huge', method: 'ping' }));
  const messages = await bridge.until(answerTo('after-huge'));
  expect(find(messages, 'huge')[0].error.data.tag).toBe('MCP_BRIDGE_MESSAGE_TOO_LARGE');
  expect(find(messages, 'after-huge')[0].result).toEqual({});
});

test('deeply nested JSON gets an answer and does not crash the bridge', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  bridge.send(`{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"echo","arguments":{"message":"x","extra":${deep}}}}\n`);
  const messages = await bridge.until(answerTo('deep'));
  expect(find(messages, 'deep')).toHaveLength(1);
});

test('a response with an id the server never asked for is dropped; duplicate request ids each get an answer', async () => {
  bridge.send(line({ jsonrpc: '2.0', id: 424242, result: {} }));
  bridge.send(line({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: { name: 'echo', arguments: { message: 'one' } } }));
  bridge.send(line({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: { name: 'echo', arguments: { message: 'two' } } }));
  const messages = await bridge.until((all) => find(all, 'dup').length === 2);
  const texts = find(messages, 'dup').map((m) => m.result.content[0].text).sort();
  expect(texts).toEqual(['Echo: one', 'Echo: two']);
  expect(messages.some((m) => m.id === 424242)).toBe(false);
});

test('a batch is split into single requests and answered as one array', async () => {
  bridge.send(
    line([
      { jsonrpc: '2.0', id: 'b1', method: 'tools/call', params: { name: 'echo', arguments: { message: 'first' } } },
      { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
      { jsonrpc: '2.0', id: 'b2', method: 'ping' },
      { not: 'json-rpc' },
    ]),
  );
  const messages = await bridge.until((all) => all.some(Array.isArray));
  const batch = messages.find(Array.isArray)!;
  expect(batch.map((m: any) => m.id)).toEqual(['b1', 'b2', null]);
  expect(batch[0].result.content[0].text).toBe('Echo: first');
  expect(batch[2].error.code).toBe(-32600);
});

test('every stdout line is a JSON-RPC 2.0 message (or a batch of them)', () => {
  for (const m of bridge.messages().flat()) expect(m.jsonrpc).toBe('2.0');
});

test('a 64 MiB line at the default limit is answered MESSAGE_TOO_LARGE for its id (written at its end) without the bridge buffering it, and the bridge keeps serving', async () => {
  const MiB = 1024 * 1024;
  const defaults = new RawBridge(['connect', '--url', server.url]);
  try {
    defaults.send(line({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
    await defaults.until(answerTo('init'));
    const baseline = defaults.resetPeakRss();
    const head = Buffer.from('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"message":"');
    const tail = Buffer.from('"}},"id":"64mib"}\n');
    defaults.send(Buffer.concat([head, Buffer.alloc(64 * MiB - head.length - tail.length, 'z'), tail]));
    defaults.send(line({ jsonrpc: '2.0', id: 'after-64mib', method: 'ping' }));
    const messages = await defaults.until(answerTo('after-64mib'));
    const tooLarge = find(messages, '64mib')[0].error;
    expect(tooLarge.data).toEqual({ tag: 'MCP_BRIDGE_MESSAGE_TOO_LARGE', limit: 16 * MiB });
    expect(find(messages, 'after-64mib')[0].result).toEqual({});
    // The bridge holds at most the 16 MiB limit (views of stdin's chunks), never the line, and reads the id from its
    // end without keeping it; on top comes garbage V8 frees late (stdin chunks). Measured: 34 MiB above the resident
    // set before the line; 55 MiB when lines were copied and joined; buffering and parsing it would cost over 128 MiB.
    expect(defaults.peakRss() - baseline).toBeLessThan(48 * MiB);
  } finally {
    await defaults.end();
  }
});
