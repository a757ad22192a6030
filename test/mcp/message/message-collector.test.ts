import { collect, collectUnder, MessageCollector } from '../../../src/mcp/message/message-collector';
import type { RawMessage } from '../../../src/mcp/message/raw-message';
import { readSseEvents } from '../../../src/mcp/http/sse-reader';

const MiB = 1024 * 1024;

/** A tools/call result of about `bytes` bytes, written as the SDK does: result first, id last. */
function bigResult(id: number | string, bytes: number): Buffer {
  // 'é"\\x' is 7 bytes of JSON: a two-byte character and two escapes.
  return Buffer.from(JSON.stringify({ result: { content: [{ type: 'text', text: 'é"\\x'.repeat(Math.floor(bytes / 7)) }] }, jsonrpc: '2.0', id }));
}

function chunked(bytes: Buffer, size = 65536): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

function message(c: ReturnType<typeof collect>): RawMessage {
  if (c.kind !== 'message') throw new Error(`expected a message, got ${c.kind}`);
  return c.message;
}

describe('MessageCollector', () => {
  test('keeps the chunks it was given, not copies, and reads the envelope on the way', () => {
    const bytes = bigResult(7, 8 * MiB);
    const chunks = chunked(bytes);
    const raw = message(collect(chunks, 10 * MiB));
    expect(raw.pieces).toHaveLength(chunks.length);
    raw.pieces.forEach((piece, i) => expect(piece).toBe(chunks[i]));
    expect(raw.size).toBe(bytes.length);
    expect(raw.envelope).toEqual({ kind: 'response', id: 7 });
    expect(raw.complete).toBe(true);
  });

  test('a message of exactly the limit passes; one byte more is oversize, and still names its id', () => {
    const bytes = bigResult('call-9', 2 * MiB);
    expect(collect(chunked(bytes), bytes.length).kind).toBe('message');
    const over = collect(chunked(bytes), bytes.length - 1);
    expect(over).toEqual({ kind: 'oversize', envelope: { kind: 'response', id: 'call-9' }, size: bytes.length });
  });

  test('limit 0 means no limit', () => {
    expect(collect(chunked(bigResult(1, 3 * MiB)), 0).kind).toBe('message');
  });

  test('lets go of the chunks once over the limit, however much more arrives', () => {
    const collector = new MessageCollector(1 * MiB);
    const chunk = Buffer.alloc(65536, 'x');
    collector.push(Buffer.from('{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"'));
    for (let i = 0; i < 64 * 16; i++) collector.push(chunk); // 64 MiB
    collector.push(Buffer.from('"}}'));
    expect(collector.size).toBeGreaterThan(64 * MiB);
    expect(collector.finish()).toMatchObject({ kind: 'oversize', envelope: { kind: 'notification', method: 'notifications/message' } });
    expect((collector as unknown as { pieces: Buffer[] }).pieces).toEqual([]);
  });

  test('as an SSE sink: an 11 MiB event is oversize with its id, a 9.9 MiB one arrives whole and byte-identical', async () => {
    const small = bigResult(2, 9.9 * MiB);
    const large = bigResult(3, 11 * MiB);
    expect(small.length).toBeGreaterThan(9.8 * MiB);
    expect(small.length).toBeLessThan(10 * MiB);
    expect(large.length).toBeGreaterThan(11 * MiB);
    const stream = Buffer.concat([Buffer.from('id: a\ndata: '), large, Buffer.from('\n\nid: b\ndata: '), small, Buffer.from('\n\n')]);
    async function* body() {
      yield* chunked(stream);
    }
    const events = [];
    for await (const event of readSseEvents(body(), { sink: collectUnder(10 * MiB) })) events.push(event);
    expect(events.map((e) => [e.id, e.data.kind])).toEqual([
      ['a', 'oversize'],
      ['b', 'message'],
    ]);
    expect(events[0].data).toEqual({ kind: 'oversize', envelope: { kind: 'response', id: 3 }, size: large.length });
    const raw = message(events[1].data);
    expect(raw.envelope).toEqual({ kind: 'response', id: 2 });
    expect(Buffer.concat(raw.pieces).equals(small)).toBe(true);
  });
});

describe('RawMessage', () => {
  test('parses only when asked, once', () => {
    const raw = message(collect(Buffer.from('{"jsonrpc":"2.0","id":1,"result":{"a":[1,2]}}')));
    const value = raw.value();
    expect(value).toEqual({ jsonrpc: '2.0', id: 1, result: { a: [1, 2] } });
    expect(raw.value()).toBe(value);
  });

  test('refuses small text that is not JSON as it is collected; a large message is only scanned, its value parsed if asked', () => {
    const notJson = collect(Buffer.from('{"jsonrpc":"2.0","id":1,"result":{'));
    expect(notJson.kind).toBe('not-json');
    expect(notJson.kind === 'not-json' && notJson.message.text()).toBe('{"jsonrpc":"2.0","id":1,"result":{');
    const cut = bigResult(1, 1 * MiB).subarray(0, 600 * 1024);
    const raw = message(collect(chunked(cut)));
    expect(raw.complete).toBe(false);
    expect(() => raw.value()).toThrow(SyntaxError);
  });

  test('writes as the same pieces plus a newline when the text has no line break', () => {
    const chunks = chunked(bigResult(4, 1 * MiB));
    const raw = message(collect(chunks));
    const line = raw.line();
    expect(line.slice(0, -1).every((piece, i) => piece === chunks[i])).toBe(true);
    expect(line[line.length - 1].toString()).toBe('\n');
  });

  test('turns line breaks of pretty-printed JSON into spaces, copying only the pieces that hold one', () => {
    const text = JSON.stringify({ jsonrpc: '2.0', id: 5, result: { text: `a\nb${'c'.repeat(40_000)}`, list: [1, 2, 3] } }, null, 2).replace(/\n/g, '\r\n');
    const chunks = chunked(Buffer.from(text), 4096);
    const raw = message(collect(chunks));
    const line = Buffer.concat(raw.line()).toString();
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line)).toEqual(JSON.parse(text));
    expect(Buffer.concat(chunks).toString()).toBe(text); // the chunks themselves are untouched
    const copied = raw.line().filter((piece, i) => i < chunks.length && piece !== chunks[i]).length;
    expect(copied).toBe(chunks.filter((c) => c.includes(0x0a) || c.includes(0x0d)).length);
    expect(copied).toBeLessThan(chunks.length);
  });

  test('writes a small message as one joined line, its line breaks turned into spaces', () => {
    const text = '{\n "jsonrpc": "2.0",\r\n "id": 1, "result": {}}';
    const chunks = chunked(Buffer.from(text), 8);
    const line = message(collect(chunks)).line();
    expect(line).toHaveLength(1);
    expect(line[0].toString()).toBe(`${text.replace(/[\r\n]/g, ' ')}\n`);
    expect(Buffer.concat(chunks).toString()).toBe(text);
  });
});
