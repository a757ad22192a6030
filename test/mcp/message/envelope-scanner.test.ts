import { EnvelopeScanner, envelopeOf, envelopeOfValue, scanEnvelope, type Envelope } from '../../../src/mcp/message/envelope-scanner';
import { classify } from '../../../src/mcp/jsonrpc';

/** What classify() says of the parsed text, in the scanner's terms: the two must always agree. */
function expected(text: string): Envelope {
  const c = classify(JSON.parse(text));
  switch (c.kind) {
    case 'request':
      return { kind: 'request', id: c.id, method: c.method };
    case 'notification':
      return { kind: 'notification', method: c.method };
    case 'response':
      return 'error' in c.message ? { kind: 'error', id: c.id } : { kind: 'response', id: c.id };
    case 'invalid':
      return { kind: 'invalid', id: c.id, reason: c.reason };
  }
}

/** Scans `text` fed in pieces cut at `cuts`. */
function scanInPieces(text: string, cuts: number[]) {
  const bytes = Buffer.from(text);
  const scanner = new EnvelopeScanner();
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    scanner.push(bytes.subarray(from, cut));
    from = cut;
  }
  const facts = scanner.result();
  return { envelope: envelopeOf(facts), complete: facts.complete, size: scanner.size };
}

const TRICKY = [
  // The SDK writes result before id: the id comes after the whole (possibly huge) result.
  '{"result":{"content":[{"type":"text","text":"{\\"id\\":5,\\"method\\":\\"x\\"}"}]},"jsonrpc":"2.0","id":7}',
  '{"jsonrpc":"2.0","params":{"id":99,"x":"\\"id\\":5","y":["}","{"]},"id":"a\\"b","method":"tools/call"}',
  '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"\\\\","progress":1}}',
  '{"jsonrpc":"2.0","id":-1.5e3,"error":{"code":-32601,"message":"a \\\\\\" quote"}}',
  '{ "jsonrpc" : "2.0" ,\n "id" : 0 ,\r\n "result" : { } }',
  '{"jsonrpc":"2.0","id":1,"result":null}',
  '{"jsonrpc":"2.0","id":1,"result":[1,2,{"id":3}],"extra":true}',
  '{"jsonrpc":"2.0","id":2,"result":"\\u0022id\\u0022:9"}',
  '{"\\u006aSONrpc":"2.0","jsonrpc":"2.0","\\u0069d":"uni\\u00e9","method":"m\\u00e9thod"}',
  '{"jsonrpc":"2.0","id":1,"id":2,"result":{}}',
  '{"jsonrpc":"2.0","id":null,"method":"m"}',
  '{"jsonrpc":"2.0","id":true,"result":{}}',
  '{"jsonrpc":"2.0","id":{"x":1},"result":{}}',
  '{"jsonrpc":"2.0","id":1,"method":5}',
  '{"jsonrpc":"2.0","id":1,"result":{},"error":{}}',
  '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse"}}',
  '{"jsonrpc":"1.0","id":1,"result":{}}',
  '{"jsonrpc":2,"id":1,"result":{}}',
  '{"id":1,"result":{}}',
  '{}',
  '[{"jsonrpc":"2.0","id":1,"method":"a"}]',
  '"text"',
  '42',
  'null',
];

describe('the JSON-RPC 2.0 rules (one set, for scanned bytes and parsed values alike)', () => {
  test.each([
    ['{"jsonrpc":"2.0","id":1,"method":"tools/call"}', { kind: 'request', id: 1, method: 'tools/call' }],
    ['{"jsonrpc":"2.0","method":"notifications/initialized"}', { kind: 'notification', method: 'notifications/initialized' }],
    ['{"jsonrpc":"2.0","id":"a","result":{}}', { kind: 'response', id: 'a' }],
    ['{"jsonrpc":"2.0","id":0,"error":{"code":-1}}', { kind: 'error', id: 0 }],
    ['{"jsonrpc":"2.0","id":null,"method":"m"}', { kind: 'invalid', id: null, reason: 'request id must be a string or number' }],
    ['{"jsonrpc":"2.0","id":3,"method":[]}', { kind: 'invalid', id: 3, reason: 'method must be a string' }],
    ['{"jsonrpc":"2.0","id":4,"result":1,"error":{}}', { kind: 'invalid', id: 4, reason: 'neither a request, a notification nor a response' }],
    ['{"jsonrpc":"2.0","id":null,"error":{}}', { kind: 'invalid', id: null, reason: 'neither a request, a notification nor a response' }],
    ['{"id":5,"result":{}}', { kind: 'invalid', id: 5, reason: 'jsonrpc must be "2.0"' }],
    ['[]', { kind: 'invalid', id: null, reason: 'not a JSON object' }],
  ])('%s', (text, envelope) => {
    expect(scanInPieces(text, []).envelope).toEqual(envelope);
    expect(envelopeOfValue(JSON.parse(text))).toEqual(envelope);
  });
});

describe('EnvelopeScanner', () => {
  test.each(TRICKY)('agrees with JSON.parse + classify on %s, however the bytes are cut', (text) => {
    const want = expected(text);
    const length = Buffer.byteLength(text);
    expect(scanInPieces(text, []).envelope).toEqual(want);
    for (let cut = 0; cut <= length; cut++) expect(scanInPieces(text, [cut]).envelope).toEqual(want);
    // One byte at a time: every escape, quote and delimiter lands on a piece boundary.
    expect(scanInPieces(text, Array.from({ length }, (_, i) => i)).envelope).toEqual(want);
  });

  test('agrees with JSON.parse + classify on generated messages cut at random places', () => {
    let seed = 14;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const text = (): string => Array.from({ length: Math.floor(random() * 8) }, () => pick(['"', '\\', '\\', 'id', '{', ']', 'é', '\n', ',', ':', ' '])).join('');
    const value = (depth: number): unknown => {
      const roll = random();
      if (depth > 3 || roll < 0.3) return pick([text(), 7, -0.5, null, true]);
      if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(['id', 'method', 'result', text()]), value(depth + 1)]));
    };
    for (let n = 0; n < 300; n++) {
      const members: Array<[string, unknown]> = [];
      for (const key of ['jsonrpc', 'id', 'method', 'params', 'result', 'error', 'x']) {
        if (random() < 0.6) members.push([key, key === 'jsonrpc' ? pick(['2.0', '2.0', '1.0', 2]) : key === 'id' ? pick([1, 'a"b', null, 0, text()]) : key === 'method' ? pick(['tools/call', 5, text()]) : value(1)]);
      }
      members.sort(() => random() - 0.5);
      const message = `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
      const length = Buffer.byteLength(message);
      const cuts = Array.from({ length: 3 }, () => Math.floor(random() * (length + 1))).sort((a, b) => a - b);
      expect({ message, ...scanInPieces(message, cuts) }).toMatchObject({ message, envelope: expected(message), complete: true, size: length });
    }
  });

  test('an escaped quote whose backslash run spans pieces does not end the string', () => {
    // "a\\\"b" — three backslashes, then a quote that is escaped; the id after the string is the message's.
    const text = '{"jsonrpc":"2.0","result":{"t":"a\\\\\\"}\\",\\"id\\":1"},"id":2}';
    expect(expected(text)).toEqual({ kind: 'response', id: 2 });
    const length = Buffer.byteLength(text);
    for (let a = 0; a < length; a++) for (let b = a; b < Math.min(length, a + 6); b++) expect(scanInPieces(text, [a, b]).envelope).toEqual({ kind: 'response', id: 2 });
  });

  test('reads the id that follows a multi-megabyte result, fed as a stream of chunks', () => {
    const text = JSON.stringify({ result: { content: [{ type: 'text', text: `x"\\y{[`.repeat(1_500_000) }] }, jsonrpc: '2.0', id: 'big' });
    const bytes = Buffer.from(text);
    const scanner = new EnvelopeScanner();
    for (let i = 0; i < bytes.length; i += 65536) scanner.push(bytes.subarray(i, i + 65536));
    const facts = scanner.result();
    expect(envelopeOf(facts)).toEqual({ kind: 'response', id: 'big' });
    expect(facts.complete).toBe(true);
    expect(scanner.size).toBe(bytes.length);
  });

  test('tells whether the message is complete', () => {
    expect(scanInPieces('{"jsonrpc":"2.0","id":1,"result":{}}', []).complete).toBe(true);
    expect(scanInPieces('{"jsonrpc":"2.0","id":1,"result":{}} \n', []).complete).toBe(true);
    expect(scanInPieces('{"jsonrpc":"2.0","id":1,"result":{', []).complete).toBe(false);
    expect(scanInPieces('{"jsonrpc":"2.0","id":1,"result":"}', []).complete).toBe(false);
    expect(scanInPieces('{"jsonrpc":"2.0","id":1,"result":{}}{}', []).complete).toBe(false);
  });

  test('keeps no more than a short id: an overlong one reads as no id', () => {
    const id = 'i'.repeat(5000);
    expect(scanEnvelope(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result: {} }))).envelope).toEqual({
      kind: 'invalid',
      id: null,
      reason: 'neither a request, a notification nor a response',
    });
  });

  test('reads what it can from the head of a message cut short', () => {
    const head = '{"jsonrpc":"2.0","id":"abc","method":"tools/call","params":{"arguments":{"data":"xxxx';
    expect(scanInPieces(head, []).envelope).toEqual({ kind: 'request', id: 'abc', method: 'tools/call' });
    expect(scanInPieces(head, []).complete).toBe(false);
  });
});
