import { EnvelopeScanner, envelopeOf, type Envelope } from './envelope-scanner';
import { RawMessage } from './raw-message';
import type { DataSink } from './sse-reader';

/** A message collected whole, or one that went over the limit: only its envelope and size are left. */
export type Collected = { kind: 'message'; message: RawMessage } | { kind: 'oversize'; envelope: Envelope; size: number };

/**
 * Collects one message's bytes as they arrive (an SSE event's data, an HTTP body, a stdin line), scanning its
 * envelope on the way. The size check costs nothing more: once the message is over `limit` bytes its pieces are
 * let go and the rest is only scanned, so an oversized message holds no memory and still reveals its id (which the
 * SDK writes after the result) for the error that answers it. `limit` 0 means none.
 */
export class MessageCollector implements DataSink<Collected> {
  private readonly scanner = new EnvelopeScanner();
  private pieces: Buffer[] = [];
  private over = false;

  constructor(private readonly limit: number) {}

  push(piece: Buffer): void {
    this.scanner.push(piece);
    if (this.over) return;
    if (this.limit > 0 && this.scanner.size > this.limit) {
      this.over = true;
      this.pieces = [];
      return;
    }
    this.pieces.push(piece);
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.scanner.size;
  }

  finish(): Collected {
    const facts = this.scanner.result();
    const envelope = envelopeOf(facts);
    if (this.over) return { kind: 'oversize', envelope, size: this.scanner.size };
    return { kind: 'message', message: new RawMessage(this.pieces, this.scanner.size, envelope, facts.complete) };
  }
}

/** Collects bytes already in hand (a small body, a test). */
export function collect(bytes: Buffer | readonly Buffer[], limit = 0): Collected {
  const collector = new MessageCollector(limit);
  for (const piece of Buffer.isBuffer(bytes) ? [bytes] : bytes) collector.push(piece);
  return collector.finish();
}

/** A sink factory for readSseEvents: each event's data collected under `limit`. */
export const collectUnder = (limit: number) => (): MessageCollector => new MessageCollector(limit);
