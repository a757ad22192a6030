import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { encodePingFrames, PingFrameDecoder, PingFramedStream } from '../../src/teleport/ping-framing';

const frame = (payload: string | Buffer) => {
  const bytes = Buffer.from(payload);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length);
  return Buffer.concat([header, bytes]);
};
const PING = Buffer.alloc(4);

describe('ping frame codec', () => {
  test('frames a write as a 4-byte big-endian length and the payload; an empty write is no frame (not a ping)', () => {
    expect(Buffer.concat(encodePingFrames(Buffer.from('{"a":1}\n')))).toEqual(Buffer.from([0, 0, 0, 8, ...Buffer.from('{"a":1}\n')]));
    expect(encodePingFrames(Buffer.alloc(0))).toEqual([]);
  });

  test('skips zero-length frames and joins payloads into one byte stream, lines spanning frames included', () => {
    const wire = Buffer.concat([PING, frame('{"id":1,"re'), PING, PING, frame('sult":{}}\n{"id":2'), frame(',"result":{}}\n'), PING]);
    const decoder = new PingFrameDecoder();
    expect(Buffer.concat(decoder.push(wire)).toString()).toBe('{"id":1,"result":{}}\n{"id":2,"result":{}}\n');
  });

  test('gives the same bytes whatever the chunking, down to one byte at a time (headers split too)', () => {
    const wire = Buffer.concat([PING, frame('x'.repeat(300)), PING, frame('hello\n'), frame(Buffer.alloc(70_000, 'y'))]);
    const expected = 'x'.repeat(300) + 'hello\n' + 'y'.repeat(70_000);
    for (const size of [1, 2, 3, 5, 7, 4096]) {
      const decoder = new PingFrameDecoder();
      const out: Buffer[] = [];
      for (let at = 0; at < wire.length; at += size) out.push(...decoder.push(wire.subarray(at, at + size)));
      expect(Buffer.concat(out).toString()).toBe(expected);
    }
  });

  test('passes payload on as it arrives instead of buffering a whole announced frame', () => {
    const decoder = new PingFrameDecoder();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1_000_000_000);
    expect(decoder.push(Buffer.concat([header, Buffer.from('partial')])).map(String)).toEqual(['partial']);
  });
});

describe('PingFramedStream over a socket', () => {
  let server: Server;
  let peer: Socket;
  let stream: PingFramedStream;

  beforeEach(async () => {
    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    const socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    await once(socket, 'connect');
    [peer] = (await accepted) as [Socket];
    stream = new PingFramedStream(socket);
  });
  afterEach(() => {
    stream.destroy();
    peer.destroy();
    server.close();
  });

  const read = (until: (text: string) => boolean) =>
    new Promise<string>((resolve) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString();
        if (until(text)) {
          stream.off('data', onData);
          resolve(text);
        }
      };
      stream.on('data', onData);
    });

  test('reads unframed payload (pings dropped) and frames every write', async () => {
    const got = read((t) => t.endsWith('\n'));
    peer.write(Buffer.concat([PING, frame('{"jsonrpc":"2.0",'), PING]));
    peer.write(frame('"id":1,"result":{}}\n'));
    expect(await got).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n');

    let received = Buffer.alloc(0);
    peer.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    stream.write('{"id":2}\n');
    stream.write('{"id":3}\n');
    while (received.length < 2 * (4 + 9)) await once(peer, 'data');
    expect(received).toEqual(Buffer.concat([frame('{"id":2}\n'), frame('{"id":3}\n')]));
  });

  test('ends after the last payload when the connection ends', async () => {
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    peer.end(frame('last words\n'));
    await once(stream, 'end');
    expect(text).toBe('last words\n');
  });

  test('a reset connection fails and closes the stream', async () => {
    const errors: Error[] = [];
    stream.on('error', (err) => errors.push(err));
    stream.resume();
    const closed = new Promise((resolve) => stream.once('close', resolve));
    peer.resetAndDestroy();
    await closed;
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ECONNRESET']);
  });

  test('end() ends the connection', async () => {
    stream.resume();
    peer.resume();
    const ended = once(peer, 'end');
    stream.end();
    await ended;
  });
});
