/**
 * Header values for the 2026-07-28 `Mcp-Name` and `Mcp-Param-*` headers (transports/streamable-http, Value Encoding):
 * a value that is not plain visible ASCII (0x20-0x7E and tab, no leading or trailing whitespace) — or that looks like
 * the sentinel itself — is sent as `=?base64?<UTF-8 in base64>?=`.
 */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;
const SENTINEL = /^=\?base64\?.*\?=$/s;

export function encodeHeaderValue(value: string): string {
  if (value === '' || (PLAIN.test(value) && !SENTINEL.test(value))) return value;
  return `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** A tool argument as a header value: strings as they are, integers in decimal, booleans as true/false. */
export function paramHeaderValue(value: unknown): string | undefined {
  if (typeof value === 'string') return encodeHeaderValue(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
