import { decodeGrpcMessage, encodeGrpcFrame, GrpcFrameDecoder, grpcStatusOf } from '../../src/teleport/grpc-frame';

describe('gRPC framing', () => {
  it('prefixes a message with a zero flag and its big-endian length', () => {
    expect(encodeGrpcFrame(Buffer.from('abc')).toString('hex')).toBe('0000000003616263');
  });

  it('reassembles messages split across and packed into DATA chunks', () => {
    const decoder = new GrpcFrameDecoder();
    const wire = Buffer.concat([encodeGrpcFrame(Buffer.from('first')), encodeGrpcFrame(Buffer.from('second'))]);
    decoder.push(wire.subarray(0, 3));
    decoder.push(wire.subarray(3, 12));
    expect(decoder.messages.map(String)).toEqual(['first']);
    decoder.push(wire.subarray(12));
    expect(decoder.messages.map(String)).toEqual(['first', 'second']);
    expect(decoder.incomplete).toBe(false);
  });

  it('reports a message cut off by the end of the stream', () => {
    const decoder = new GrpcFrameDecoder();
    decoder.push(encodeGrpcFrame(Buffer.from('whole')).subarray(0, 7));
    expect(decoder.incomplete).toBe(true);
  });

  it('refuses compressed messages, since none was negotiated', () => {
    const frame = encodeGrpcFrame(Buffer.from('x'));
    frame[0] = 1;
    expect(() => new GrpcFrameDecoder().push(frame)).toThrow(/compress/);
  });

  it('percent-decodes grpc-message and keeps malformed escapes', () => {
    expect(decodeGrpcMessage('access denied: identity is not allowed to reissue%20certificates %E2%9C%93')).toBe(
      'access denied: identity is not allowed to reissue certificates ✓',
    );
    expect(decodeGrpcMessage('100%ZZ %E2')).toBe('100%ZZ %E2');
  });

  it('reads the status from trailers and is undefined without one', () => {
    expect(grpcStatusOf({ 'grpc-status': '7', 'grpc-message': 'access%20denied' })).toEqual({ code: 7, message: 'access denied' });
    expect(grpcStatusOf({ ':status': 200 })).toBeUndefined();
  });
});
