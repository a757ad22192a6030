import type { Logger } from '../log/logger';
import { idKey, type JsonRpcId, type JsonRpcMessage } from './jsonrpc';
import { rawReply, type Reply } from './link';
import { envelopeOfValue, type Envelope } from './message/envelope-scanner';
import type { RawMessage } from './message/raw-message';
import type { MessageWriter } from './stdio/message-writer';
import { warnDropped } from './stdio/output-limit';

/** A request in flight waiting for its response on streams other than its own too. */
export interface ResponseElsewhere {
  /** Resolves with the response if it arrives on another stream first. */
  readonly arrived: Promise<Reply>;
  /** The request is settled: a copy arriving later is dropped. */
  release(): void;
}

/** Event ids remembered for de-duplication; old ones are forgotten first (replays are of recent events). */
const REMEMBERED_EVENT_IDS = 10_000;

/**
 * Messages from the server to the client (notifications, server→client requests), from any SSE stream. Resumed
 * streams may replay events: those are dropped by event id, and a server request still awaiting the client's answer
 * is not delivered twice. Server request ids live in their own namespace: they are never matched against the
 * client's request ids (both sides may use id 0). A response to a client request in flight that arrives on another
 * stream (a server that answers a call whose stream it closed on the GET stream) goes to that request, once.
 */
export class ServerMessages {
  private readonly seenEvents = new Set<string>();
  private readonly awaitingClient = new Set<string>();
  private readonly awaitingServer = new Map<string, (reply: Reply) => void>();

  constructor(
    private readonly writer: MessageWriter,
    private readonly logger: Logger,
  ) {}

  /** False when this event id was delivered before. Records it otherwise. */
  firstSighting(eventId: string | undefined): boolean {
    if (eventId === undefined) return true;
    if (this.seenEvents.has(eventId)) return false;
    this.seenEvents.add(eventId);
    if (this.seenEvents.size > REMEMBERED_EVENT_IDS) this.seenEvents.delete(this.seenEvents.values().next().value!);
    return true;
  }

  /**
   * Writes a server message to stdout (awaiting backpressure), as `text` when that is its JSON; returns whether it
   * was a server→client request.
   */
  deliver(message: JsonRpcMessage, text?: string): Promise<boolean> {
    return this.route(envelopeOfValue(message), () => this.writer.write(message, text), () => ({ message, text }));
  }

  /** The same for a message kept as the bytes it arrived in: routed by its envelope, written without a parse. */
  deliverRaw(raw: RawMessage): Promise<boolean> {
    return this.route(raw.envelope, () => this.writer.writeRaw(raw), () => rawReply(raw));
  }

  /**
   * A server message over --max-output-message-size, whose bytes were let go as they arrived: dropped with a warning
   * (a server request among them is never answered by the client). Returns whether it was a server→client request.
   */
  dropOversize(envelope: Envelope, size: number, limit: number): boolean {
    warnDropped(this.logger, envelope, size, limit);
    return envelope.kind === 'request';
  }

  /** Takes the response to client request `id` from whichever stream brings it, until released. */
  expectResponse(id: JsonRpcId): ResponseElsewhere {
    const key = idKey(id);
    let take!: (reply: Reply) => void;
    const arrived = new Promise<Reply>((resolve) => (take = resolve));
    this.awaitingServer.set(key, take);
    return {
      arrived,
      release: () => {
        if (this.awaitingServer.get(key) === take) this.awaitingServer.delete(key);
      },
    };
  }

  private async route(envelope: Envelope, write: () => Promise<void>, reply: () => Reply): Promise<boolean> {
    if (envelope.kind === 'request') {
      const key = idKey(envelope.id);
      if (this.awaitingClient.has(key)) {
        this.logger.debug('dropping replayed server request', { method: envelope.method });
        return true;
      }
      this.awaitingClient.add(key);
      await write();
      return true;
    }
    if (envelope.kind === 'notification') await write();
    else if ((envelope.kind === 'response' || envelope.kind === 'error') && this.takenElsewhere(envelope.id, reply)) return false;
    else this.logger.debug('dropping unexpected message from the server', { kind: envelope.kind });
    return false;
  }

  private takenElsewhere(id: JsonRpcId, reply: () => Reply): boolean {
    const key = idKey(id);
    const take = this.awaitingServer.get(key);
    if (!take) return false;
    this.awaitingServer.delete(key);
    this.logger.debug('a response arrived on another stream than its request\'s', { id });
    take(reply());
    return true;
  }

  /** The client answered a server→client request: true when one with this id was awaiting its answer. */
  settleClientAnswer(id: JsonRpcId): boolean {
    return this.awaitingClient.delete(idKey(id));
  }
}
