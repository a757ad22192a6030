import { Duplex } from 'node:stream';

/**
 * Teleport's ping connections (`*-ping` ALPN protocols such as `teleport-mcp-ping`): inside TLS every write is a
 * frame, a 4-byte big-endian length then that many bytes; a zero-length frame is a keep-alive (the proxy sends one
 * every 30 s) that the reader skips. Frame boundaries mean nothing: the payloads form one byte stream, a line may
 * span frames and a frame may hold several lines.
 */

/** The largest payload one frame can announce. */
const MAX_FRAME = 0xffff_ffff;

/** Frames one write (split only past the 4 GiB a length can express); an empty write is no frame, not a ping. */
export function encodePingFrames(payload: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < payload.length; at += MAX_FRAME) {
    const piece = payload.subarray(at, Math.min(payload.length, at + MAX_FRAME));
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(piece.length, 0);
    frames.push(header, piece);
  }
  return frames;
}

/**
 * Turns framed bytes, in chunks of any size, back into the payload stream. Payload bytes are passed on as they
 * arrive (never buffered up to a whole frame), so a frame's announced length costs no memory.
 */
export class PingFrameDecoder {
  private readonly header = Buffer.alloc(4);
  private headerBytes = 0;
  /** Payload bytes still due in the current frame. */
  private remaining = 0;

  /** The payload pieces in `chunk` (views into it), pings and headers removed. */
  push(chunk: Buffer): Buffer[] {
    const pieces: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        pieces.push(chunk.subarray(at, at + take));
        this.remaining -= take;
        at += take;
        continue;
      }
      const copied = chunk.copy(this.header, this.headerBytes, at, at + 4 - this.headerBytes);
      this.headerBytes += copied;
      at += copied;
      if (this.headerBytes === 4) {
        this.remaining = this.header.readUInt32BE(0); // 0 = ping: nothing follows
        this.headerBytes = 0;
      }
    }
    return pieces;
  }
}

/**
 * The byte stream inside a ping connection: reads are unframed (pings dropped), writes are framed. Ends when the
 * connection ends; destroying either side destroys both.
 */
export class PingFramedStream extends Duplex {
  private readonly decoder = new PingFrameDecoder();

  constructor(private readonly inner: Duplex) {
    super({ allowHalfOpen: false });
    inner.on('data', (chunk: Buffer) => {
      for (const piece of this.decoder.push(chunk)) {
        if (!this.push(piece)) inner.pause();
      }
    });
    inner.once('end', () => this.push(null));
    inner.once('error', (err) => this.destroy(err));
    // A connection that closes without an end (reset, destroy) ends this stream too, after what was read.
    inner.once('close', () => {
      this.push(null);
      if (this.readableEnded) this.destroy();
      else this.once('end', () => this.destroy());
    });
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const frames = encodePingFrames(chunk);
    if (frames.length === 0) return callback();
    this.inner.write(Buffer.concat(frames), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy(error ?? undefined);
    callback(error);
  }
}
