import { BridgeError } from '../../../src/errors/catalogue';
import { readProbe } from '../../../src/mcp/era/detect';
import { statusError } from '../../../src/mcp/http/channel';

const url = new URL('http://127.0.0.1:1/mcp');
const answer = (body: Record<string, unknown>) => ({ answer: { jsonrpc: '2.0', id: 1, ...body } });
const refused = (status: number, body: string) => ({ failed: statusError(status, body, url) });
const discoverResult = { supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1' } }, ttlMs: 0 };

describe('reading a server/discover probe (spec basic/versioning, transports/streamable-http)', () => {
  it('takes a DiscoverResult listing 2026-07-28 as a modern server, with what it said', () => {
    const detection = readProbe(answer({ result: discoverResult }), url.host);
    expect(detection).toMatchObject({ verdict: { era: 'modern', version: '2026-07-28', discovered: { serverInfo: { name: 's' } } }, lasting: true });
  });

  it('takes an UnsupportedProtocolVersion error listing 2026-07-28 as modern, listing only 2025 as legacy', () => {
    const error = (supported: string[]) => ({ code: -32022, message: 'Unsupported protocol version', data: { supported } });
    expect(readProbe(answer({ error: error(['2026-07-28']) }), url.host)).toMatchObject({ verdict: { era: 'modern' } });
    expect(readProbe(answer({ error: error(['2025-11-25']) }), url.host)).toMatchObject({ verdict: { era: 'legacy' } });
    expect(readProbe(refused(400, JSON.stringify({ jsonrpc: '2.0', id: null, error: error(['2026-07-28']) })), url.host)).toMatchObject({ verdict: { era: 'modern' } });
  });

  it('takes other JSON-RPC errors and refusals without a modern error as a 2025 server', () => {
    expect(readProbe(answer({ error: { code: -32601, message: 'Method not found' } }), url.host)).toMatchObject({ verdict: { era: 'legacy' }, lasting: true });
    const sdkV1 = JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
    expect(readProbe(refused(400, sdkV1), url.host)).toMatchObject({ verdict: { era: 'legacy' }, lasting: true });
    expect(readProbe(refused(404, 'session not found'), url.host)).toMatchObject({ verdict: { era: 'legacy' }, lasting: true });
    expect(readProbe(refused(405, ''), url.host)).toMatchObject({ verdict: { era: 'legacy' }, lasting: true });
  });

  it('takes a 5xx as legacy for this process only, and decides nothing on access refusals or lost connections', () => {
    expect(readProbe(refused(500, 'boom'), url.host)).toMatchObject({ verdict: { era: 'legacy' }, lasting: false });
    expect(readProbe(refused(403, 'invalid session'), url.host)).toHaveProperty('failed');
    expect(readProbe(refused(401, ''), url.host)).toHaveProperty('failed');
    expect(readProbe({ failed: new BridgeError('UPSTREAM_UNREACHABLE', 'down') }, url.host)).toHaveProperty('failed');
  });

  it('takes a result that is not a DiscoverResult as legacy (some 2025 servers answer anything), keeping DISCOVER_INVALID to report', () => {
    for (const result of [{}, { capabilities: {} }, { supportedVersions: '2026-07-28', capabilities: {} }, { supportedVersions: ['2026-07-28'] }, 'yes']) {
      const detection = readProbe(answer({ result }), url.host);
      expect(detection).toMatchObject({ verdict: { era: 'legacy' }, malformed: { tag: 'DISCOVER_INVALID' } });
    }
  });
});
