import { BridgeError, CATALOGUE, JSONRPC, asBridgeError, tagLabel, toJsonRpcError, type ErrorTag } from '../../src/errors/catalogue';

describe('error catalogue', () => {
  it('gives every tag a cause, a fix and a JSON-RPC code', () => {
    for (const [tag, entry] of Object.entries(CATALOGUE)) {
      expect(tag).toMatch(/^[A-Z_]+$/);
      expect(entry.cause.length).toBeGreaterThan(10);
      expect(entry.fix.length).toBeGreaterThan(10);
      expect(Number.isInteger(entry.code)).toBe(true);
    }
  });

  it('puts the stable tag, the detail and the fix in the message', () => {
    const err = new BridgeError('REISSUE_DENIED', 'The Auth Service refused GenerateUserCerts.');
    expect(err.message).toMatch(/^\[MCP_BRIDGE_REISSUE_DENIED\] The Auth Service refused GenerateUserCerts\. Fix: .*allow_reissue: true/);
  });

  it('builds JSON-RPC errors carrying the tag in data', () => {
    const rpc = toJsonRpcError(new BridgeError('MESSAGE_TOO_LARGE', 'A 64 MiB line.'));
    expect(rpc.code).toBe(JSONRPC.INVALID_REQUEST);
    expect(rpc.data.tag).toBe(tagLabel('MESSAGE_TOO_LARGE' as ErrorTag));
  });

  it('wraps unknown errors as INTERNAL and keeps tagged ones', () => {
    const tagged = new BridgeError('MAY_HAVE_RUN', 'reset');
    expect(asBridgeError(tagged)).toBe(tagged);
    expect(asBridgeError(new Error('boom')).tag).toBe('INTERNAL');
  });
});
