import { Duplex } from 'node:stream';
import { StreamConnection } from '../../../src/mcp/stream/connection';

/** A stream that records each write it is handed, as a socket would send each as its own segment(s). */
function recordingStream(): { stream: Duplex; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      writes.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, writes };
}

const ignore = () => undefined;

test('a message goes to the server with its newline in one write, whether it is text or the client\'s bytes', () => {
  // Two writes (message, then newline) on a socket with Nagle on wait for the first one's ACK: 40 ms a call.
  const { stream, writes } = recordingStream();
  const conn = new StreamConnection(stream, 1024 * 1024, { message: ignore, badLine: ignore, closed: ignore });
  void conn.call(1, Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}'));
  conn.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  expect(writes.map((w) => w.toString())).toEqual(['{"jsonrpc":"2.0","id":1,"method":"ping"}\n', '{"jsonrpc":"2.0","method":"notifications/initialized"}\n']);
  conn.close();
});
