import { LineSplitter, peekTopLevelId } from '../../../src/mcp/stdio/line-splitter';

const lines = (events: ReturnType<LineSplitter['push']>) => events.map((e) => (e.kind === 'line' ? e.bytes.toString() : `<oversize:${e.head.length}>`));

describe('LineSplitter', () => {
  test('joins lines split across chunks and splits several lines in one chunk', () => {
    const s = new LineSplitter(100);
    expect(lines(s.push(Buffer.from('{"a":')))).toEqual([]);
    expect(lines(s.push(Buffer.from('1}\n{"b":2}\n{"c"')))).toEqual(['{"a":1}', '{"b":2}']);
    expect(lines(s.push(Buffer.from(':3}')))).toEqual([]);
    expect(lines(s.end())).toEqual(['{"c":3}']);
  });

  test('reports an oversized line once and resumes at the next newline without keeping its bytes', () => {
    const s = new LineSplitter(1024);
    const events = [...s.push(Buffer.alloc(800, 'x')), ...s.push(Buffer.alloc(800, 'x')), ...s.push(Buffer.alloc(5000, 'x'))];
    expect(events.map((e) => e.kind)).toEqual(['oversize']);
    expect(lines(s.push(Buffer.from('yyy\n{"ok":1}\n')))).toEqual(['{"ok":1}']);
  });

  test('a line of exactly the limit is accepted', () => {
    const s = new LineSplitter(1024);
    expect(lines(s.push(Buffer.from('a'.repeat(1024) + '\n')))).toEqual(['a'.repeat(1024)]);
  });
});

describe('peekTopLevelId', () => {
  test('finds the id after params without mistaking a nested id for it', () => {
    expect(peekTopLevelId('{"jsonrpc":"2.0","params":{"id":99,"x":"\\"id\\":5"},"id":7,"method":"m"')).toBe(7);
    expect(peekTopLevelId('{ "id" : "abc", "params": {')).toBe('abc');
  });

  test('returns null when the id lies beyond the head or the text is not an object', () => {
    expect(peekTopLevelId('{"jsonrpc":"2.0","params":{"id":1,"data":"xxxx')).toBeNull();
    expect(peekTopLevelId('[1,2')).toBeNull();
  });
});
