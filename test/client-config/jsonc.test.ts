import { JsoncSyntaxError, parseJsonc } from '../../src/client-config/jsonc';

describe('parseJsonc', () => {
  it('reads plain JSON and reports no comments', () => {
    expect(parseJsonc('{"a": [1, 2], "b": {"c": "d"}}')).toEqual({ value: { a: [1, 2], b: { c: 'd' } }, hadComments: false });
  });

  it('drops line and block comments and trailing commas in objects and arrays', () => {
    const text = `{
      // a line comment
      "servers": { /* inline */ "x": { "args": ["a", "b",], }, },
      "inputs": [
        /* block
           over lines */
      ],
    }`;
    expect(parseJsonc(text)).toEqual({ value: { servers: { x: { args: ['a', 'b'] } }, inputs: [] }, hadComments: true });
  });

  it('keeps comment markers, commas and escaped quotes inside strings', () => {
    const text = '{"url": "http://h/p,}", "q": "say \\"//\\" /* no */"}';
    expect(parseJsonc(text).value).toEqual({ url: 'http://h/p,}', q: 'say "//" /* no */' });
  });

  it('drops a trailing comma that a comment separates from the closing brace', () => {
    expect(parseJsonc('{"a": 1, // last\n}').value).toEqual({ a: 1 });
  });

  it('ignores a byte order mark', () => {
    expect(parseJsonc('\uFEFF{"a": 1}').value).toEqual({ a: 1 });
  });

  it('reports the line and column of a syntax error without quoting the file', () => {
    let caught: unknown;
    try {
      parseJsonc('{\n  "env": {"TOKEN": "s3cret-value" "X": 1}\n}');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(JsoncSyntaxError);
    const error = caught as JsoncSyntaxError;
    expect(error.position).toEqual({ line: 2, column: 35 }); // the quote that opens "X"
    expect(error.message).not.toContain('s3cret');
  });

  it('quotes nothing when V8 gives no position for an unexpected token', () => {
    expect(() => parseJsonc('{"TOKEN": s3cret}')).toThrow(new JsoncSyntaxError(undefined));
    expect(() => parseJsonc('{"TOKEN": s3cret}')).toThrow(/^not valid JSON$/);
  });
});
