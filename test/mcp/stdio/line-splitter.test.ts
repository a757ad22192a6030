import type { Collected } from '../../../src/mcp/message/message-collector';
import { LineSplitter } from '../../../src/mcp/stdio/line-splitter';

const lines = (events: Collected[]) =>
  events.map((e) => (e.kind === 'message' ? e.message.text() : e.kind === 'oversize' ? `<oversize:${e.size}:${JSON.stringify(e.envelope)}>` : `<${e.kind}>`));

describe('LineSplitter', () => {
  test('joins lines split across chunks and splits several lines in one chunk', () => {
    const s = new LineSplitter(100);
    expect(lines(s.push(Buffer.from('{"a":')))).toEqual([]);
    expect(lines(s.push(Buffer.from('1}\n{"b":2}\n{"c"')))).toEqual(['{"a":1}', '{"b":2}']);
    expect(lines(s.push(Buffer.from(':3}')))).toEqual([]);
    expect(lines(s.end())).toEqual(['{"c":3}']);
  });

  test('reports an oversized line once, at its end, with the id read from all of it, and keeps none of its bytes', () => {
    const s = new LineSplitter(1024);
    const events = [
      ...s.push(Buffer.from('{"jsonrpc":"2.0","method":"tools/call","params":{"x":"')),
      ...s.push(Buffer.alloc(800, 'x')),
      ...s.push(Buffer.alloc(5000, 'x')),
      ...s.push(Buffer.from('"},"id":42}\n{"ok":1}\n')),
    ];
    expect(lines(events)).toEqual([`<oversize:5865:${JSON.stringify({ kind: 'request', id: 42, method: 'tools/call' })}>`, '{"ok":1}']);
  });

  test('a line of exactly the limit is accepted', () => {
    const s = new LineSplitter(1024);
    const line = `"${'a'.repeat(1022)}"`;
    expect(lines(s.push(Buffer.from(line + '\n')))).toEqual([line]);
  });

  test('tells empty and whitespace-only lines, and small lines that are not JSON or not UTF-8', () => {
    const s = new LineSplitter(1024);
    expect(lines(s.push(Buffer.concat([Buffer.from('\n  \r\nnot json\n"'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')])))).toEqual(['<blank>', '<blank>', '<not-json>', '<not-json>']);
  });

  test('keeps a long line as views of the chunks it arrived in', () => {
    const s = new LineSplitter(1 << 20);
    const chunks = [Buffer.from('"' + 'x'.repeat(65535)), Buffer.alloc(65536, 'y'), Buffer.from('z"\n')];
    const [line] = chunks.flatMap((chunk) => s.push(chunk));
    expect(line.kind).toBe('message');
    if (line.kind !== 'message') return;
    expect(line.message.pieces[0].buffer).toBe(chunks[0].buffer);
    expect(line.message.pieces[1].buffer).toBe(chunks[1].buffer);
    expect(line.message.size).toBe(65536 + 65536 + 2);
  });
});
