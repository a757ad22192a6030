import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { pieces, readSseEvents, SseParser, type SseEvent } from '../../../src/mcp/http/sse-reader';

interface Seen {
  id?: string;
  event?: string;
  data: string;
}

/** Parses `stream` fed in pieces cut at `cuts`; data as text, for comparison. */
function parse(stream: Buffer | string, cuts: number[] = [], onRetry?: (ms: number) => void): Seen[] {
  const bytes = Buffer.isBuffer(stream) ? stream : Buffer.from(stream);
  const parser = new SseParser({ sink: pieces, onRetry });
  const events: Array<SseEvent<Buffer[]>> = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  events.push(...parser.end());
  return events.map((e) => {
    const data = Buffer.concat(e.data).toString('utf8');
    expect(e.size).toBe(Buffer.byteLength(data));
    return { ...(e.id !== undefined ? { id: e.id } : {}), ...(e.event !== undefined ? { event: e.event } : {}), data };
  });
}

/** eventsource-parser, the library this reader replaces, as the reference. */
function reference(stream: string): Seen[] {
  const events: Seen[] = [];
  const parser = createParser({
    onEvent: (e: EventSourceMessage) => events.push({ ...(e.id !== undefined ? { id: e.id } : {}), ...(e.event !== undefined ? { event: e.event } : {}), data: e.data }),
  });
  parser.feed(stream);
  return events;
}

describe('SseParser', () => {
  test('reads ids, event types and data, joins data lines with LF and drops one leading space only', () => {
    expect(parse('id: 1\nevent: message\ndata: {"a":1}\n\ndata:x\ndata:  y\ndata\n\n')).toEqual([
      { id: '1', event: 'message', data: '{"a":1}' },
      { data: 'x\n y\n' },
    ]);
  });

  test('accepts CRLF, CR and LF line ends, a CR at the end of a chunk being half of a CRLF', () => {
    const stream = 'data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\r\n';
    const want = [{ data: 'a' }, { data: 'b' }, { data: 'c' }, { data: 'd' }];
    for (let cut = 0; cut <= stream.length; cut++) expect(parse(stream, [cut])).toEqual(want);
  });

  test('skips a byte order mark at the start of the stream, even split across chunks', () => {
    const stream = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: x\n\n')]);
    for (let cut = 0; cut <= 4; cut++) expect(parse(stream, [cut])).toEqual([{ data: 'x' }]);
    expect(parse(Buffer.concat([Buffer.from([0xef, 0xbb]), Buffer.from('data: x\n\n')]))).toEqual([]);
  });

  test('ignores comments and unknown fields, honours numeric retry only, and ids without NUL', () => {
    const retries: number[] = [];
    const events = parse(': keep-alive\nfoo: bar\nretry: 1500\nretry: 1.5\nid: a\0b\ndata: x\n\nretry\n', [], (ms) => retries.push(ms));
    expect(events).toEqual([{ data: 'x' }]);
    expect(retries).toEqual([1500]);
  });

  test('hands on priming events and events that only set an id, with no data', () => {
    expect(parse('id: 7\ndata:\n\nid: 8\n\n\n')).toEqual([
      { id: '7', data: '' },
      { id: '8', data: '' },
    ]);
  });

  test('drops an event the stream ended before completing', () => {
    expect(parse('data: a\n\ndata: b\n')).toEqual([{ data: 'a' }]);
    expect(parse('data: a\n\ndata: b')).toEqual([{ data: 'a' }]);
  });

  test('agrees with eventsource-parser on generated streams, however the bytes are cut', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    for (let n = 0; n < 200; n++) {
      const eol = pick(['\n', '\r\n', '\r']);
      const events = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const lines = [];
        if (random() < 0.3) lines.push(`: ${pick(['ping', '', 'a:b'])}`);
        if (random() < 0.5) lines.push(`id:${pick(['', ' ', '  '])}${pick(['1', 'x y', 'é'])}`);
        if (random() < 0.3) lines.push(`event: ${pick(['message', 'other'])}`);
        for (let d = 0; d < 1 + Math.floor(random() * 3); d++) lines.push(`data:${pick(['', ' ', '  '])}${pick(['{"jsonrpc":"2.0"}', '', 'a: b', 'é€'])}`);
        return lines.map((l) => l + eol).join('') + eol;
      });
      // eventsource-parser waits for the byte after a final CR (it could be a CRLF): end with an LF for it.
      const stream = `${events.join('')}\n`;
      const length = Buffer.byteLength(stream);
      const cuts = Array.from({ length: 3 }, () => Math.floor(random() * (length + 1))).sort((a, b) => a - b);
      expect({ stream, events: parse(stream, cuts) }).toEqual({ stream, events: reference(stream) });
    }
  });

  test('hands a multi-megabyte data line over as views of the chunks it arrived in, not copies', async () => {
    const payload = `{"jsonrpc":"2.0","id":1,"result":{"text":"${'x'.repeat(8 * 1024 * 1024)}"}}`;
    const stream = Buffer.from(`id: 42\ndata: ${payload}\n\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 65536) chunks.push(Buffer.from(stream.subarray(i, i + 65536)));
    async function* body() {
      yield* chunks;
    }
    const events: Array<SseEvent<Buffer[]>> = [];
    for await (const event of readSseEvents(body(), { sink: pieces })) events.push(event);
    expect(events).toHaveLength(1);
    expect(events[0].id).toBe('42');
    expect(events[0].size).toBe(Buffer.byteLength(payload));
    const chunkMemory = new Set(chunks.map((c) => c.buffer));
    expect(events[0].data.every((piece) => chunkMemory.has(piece.buffer))).toBe(true);
    expect(events[0].data.length).toBe(chunks.length);
    expect(Buffer.concat(events[0].data).equals(Buffer.from(payload))).toBe(true);
  });
});
