import { CompleteLines } from '../../../src/mcp/http/sse-lines';

/** Feeds `chunks` and returns what the parser would have been fed, call by call. */
function feed(chunks: string[]): string[] {
  const lines = new CompleteLines();
  const fed = chunks.map((c) => lines.push(Buffer.from(c, 'utf8')));
  fed.push(lines.end());
  return fed;
}

test('a line split over many chunks is handed over once, whole, when it ends', () => {
  expect(feed(['data: {"a"', ':1', '}\n', '\n'])).toEqual(['', '', 'data: {"a":1}\n', '\n', '']);
});

test('everything up to the last line end of a chunk is handed over at once; the rest waits', () => {
  expect(feed(['id: 1\ndata: x\n\ndata: ', 'y\n\n'])).toEqual(['id: 1\ndata: x\n\n', 'data: y\n\n', '']);
});

test('a CRLF split between chunks is not taken for two line ends; lone CRs end lines', () => {
  expect(feed(['data: a\r', '\n\r\n'])).toEqual(['', 'data: a\r\n\r\n', '']);
  expect(feed(['data: a\rdata: b\r\r', ''])).toEqual(['data: a\rdata: b\r', '', '\r']);
});

test('a multi-byte character split between chunks is decoded whole', () => {
  const bytes = Buffer.from('data: é\n', 'utf8');
  const lines = new CompleteLines();
  expect(lines.push(bytes.subarray(0, 7))).toBe('');
  expect(lines.push(bytes.subarray(7))).toBe('data: é\n');
});

test('a leading byte order mark is dropped, later U+FEFF characters are kept', () => {
  expect(feed(['\uFEFFdata: a\n', 'data: \uFEFF\n'])).toEqual(['data: a\n', 'data: \uFEFF\n', '']);
});

test('an unterminated last line comes out at the end', () => {
  expect(feed(['data: tail'])).toEqual(['', 'data: tail']);
});
