/**
 * gRPC over HTTP/2 message framing and status (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
 * each message is a 1-byte compressed flag, a 4-byte big-endian length and the bytes; the outcome is the
 * `grpc-status` / `grpc-message` pair in the trailers (or in the headers of a trailers-only answer).
 */

const PREFIX = 5;
/** Auth Service answers are small (a few certificates, a page of apps); anything larger is a wrong peer. */
const MAX_MESSAGE = 16 << 20;

export function encodeGrpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX + message.length);
  frame[0] = 0; // uncompressed: we never send grpc-encoding, so the server must not compress either
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, PREFIX);
  return frame;
}

/** Collects DATA chunks and yields whole messages. */
export class GrpcFrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  readonly messages: Buffer[] = [];

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= PREFIX) {
      if (this.buffered[0] !== 0) throw new Error('compressed gRPC message, but no compression was negotiated');
      const length = this.buffered.readUInt32BE(1);
      if (length > MAX_MESSAGE) throw new Error(`gRPC message of ${length} bytes exceeds the ${MAX_MESSAGE}-byte limit`);
      if (this.buffered.length < PREFIX + length) return;
      this.messages.push(this.buffered.subarray(PREFIX, PREFIX + length));
      this.buffered = this.buffered.subarray(PREFIX + length);
    }
  }

  /** True when a message was cut off by the end of the stream. */
  get incomplete(): boolean {
    return this.buffered.length > 0;
  }
}

export interface GrpcStatus {
  code: number;
  message: string;
}

/** gRPC status codes mcp-bridge reacts to. */
export const GrpcCode = {
  OK: 0,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** grpc-message is percent-encoded UTF-8; malformed escapes are kept as they are, as the spec asks. */
export function decodeGrpcMessage(raw: string): string {
  return raw.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** The status in a header block, or undefined when the block has none. */
export function grpcStatusOf(headers: Record<string, string | string[] | number | undefined>): GrpcStatus | undefined {
  const code = headers['grpc-status'];
  if (code === undefined) return undefined;
  const raw = headers['grpc-message'];
  return { code: Number(code), message: typeof raw === 'string' ? decodeGrpcMessage(raw) : '' };
}
