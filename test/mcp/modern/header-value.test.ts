import { encodeHeaderValue, paramHeaderValue } from '../../../src/mcp/modern/header-value';

describe('2026-07-28 header values', () => {
  it.each([
    ['us-west1', 'us-west1'],
    ['Hello, 世界', '=?base64?SGVsbG8sIOS4lueVjA==?='],
    [' padded ', '=?base64?IHBhZGRlZCA=?='],
    ['line1\nline2', '=?base64?bGluZTEKbGluZTI=?='],
    ['=?base64?literal?=', '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='],
    ['internal spaces only', 'internal spaces only'],
    ['\tleading tab', '=?base64?CWxlYWRpbmcgdGFi?='],
    ['bell\x07', '=?base64?YmVsbAc=?='],
  ])('encodes %j as the spec table does', (value, header) => {
    expect(encodeHeaderValue(value)).toBe(header);
    if (header.startsWith('=?base64?')) expect(Buffer.from(header.slice(9, -2), 'base64').toString('utf8')).toBe(value);
  });

  it('mirrors integers in decimal and booleans in lower case, and nothing else', () => {
    expect(paramHeaderValue(42)).toBe('42');
    expect(paramHeaderValue(-7)).toBe('-7');
    expect(paramHeaderValue(true)).toBe('true');
    expect(paramHeaderValue(false)).toBe('false');
    expect(paramHeaderValue(1.5)).toBeUndefined();
    expect(paramHeaderValue(2 ** 53)).toBeUndefined();
    expect(paramHeaderValue(null)).toBeUndefined();
    expect(paramHeaderValue({ a: 1 })).toBeUndefined();
  });
});
