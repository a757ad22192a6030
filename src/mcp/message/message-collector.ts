import { isUtf8 } from 'node:buffer';
import { EnvelopeScanner, envelopeOf, type Envelope } from './envelope-scanner';
import { RawMessage } from './raw-message';
import type { DataSink } from '../http/sse-reader';

/**
 * Messages up to this size are checked (UTF-8) and parsed as they are collected: JSON.parse is the validator (text
 * that is not JSON is refused before it reaches the client), and the relay reads small messages anyway. Larger ones are only scanned,
 * never turned into a string or objects: writing their bytes through is several times faster from 4 KiB up, and holds
 * them once instead of about five times (measured in BENCHMARKS.md, "Large messages").
 */
const PARSED_UP_TO = 64 * 1024;

/**
 * A message collected whole, one over the limit (only its envelope and size are left), small text that is not JSON,
 * or only whitespace.
 */
export type Collected =
  | { kind: 'message'; message: RawMessage }
  | { kind: 'blank' }
  | { kind: 'oversize'; envelope: Envelope; size: number }
  | { kind: 'not-json'; message: RawMessage; reason: 'not UTF-8' | 'not JSON' };

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
    const size = this.scanner.size;
    if (this.over) return { kind: 'oversize', envelope, size };
    if (facts.shape === 'empty') return { kind: 'blank' };
    const message = new RawMessage(this.pieces, size, envelope, facts.complete);
    if (size <= PARSED_UP_TO) {
      if (!isUtf8(message.bytes())) return { kind: 'not-json', message, reason: 'not UTF-8' };
      try {
        message.value();
      } catch {
        return { kind: 'not-json', message, reason: 'not JSON' };
      }
    }
    return { kind: 'message', message };
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
