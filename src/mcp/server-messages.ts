import type { Logger } from '../log/logger';
import { idKey, type JsonRpcId, type JsonRpcMessage } from './jsonrpc';
import { envelopeOfValue, type Envelope } from './message/envelope-scanner';
import type { RawMessage } from './message/raw-message';
import type { MessageWriter } from './stdio/message-writer';
import { warnDropped } from './stdio/output-limit';

/** Event ids remembered for de-duplication; old ones are forgotten first (replays are of recent events). */
const REMEMBERED_EVENT_IDS = 10_000;

/**
 * Messages from the server to the client (notifications, server→client requests), from any SSE stream. Resumed
 * streams may replay events: those are dropped by event id, and a server request still awaiting the client's answer
 * is not delivered twice. Server request ids live in their own namespace: they are never matched against the
 * client's request ids (both sides may use id 0).
 */
export class ServerMessages {
  private readonly seenEvents = new Set<string>();
  private readonly awaitingClient = new Set<string>();

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
    return this.route(envelopeOfValue(message), () => this.writer.write(message, text));
  }

  /** The same for a message kept as the bytes it arrived in: routed by its envelope, written without a parse. */
  deliverRaw(raw: RawMessage): Promise<boolean> {
    return this.route(raw.envelope, () => this.writer.writeRaw(raw));
  }

  /**
   * A server message over --max-output-message-size, whose bytes were let go as they arrived: dropped with a warning
   * (a server request among them is never answered by the client). Returns whether it was a server→client request.
   */
  dropOversize(envelope: Envelope, size: number, limit: number): boolean {
    warnDropped(this.logger, envelope, size, limit);
    return envelope.kind === 'request';
  }

  private async route(envelope: Envelope, write: () => Promise<void>): Promise<boolean> {
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
    else this.logger.debug('dropping unexpected message from the server', { kind: envelope.kind });
    return false;
  }

  /** The client answered a server→client request: true when one with this id was awaiting its answer. */
  settleClientAnswer(id: JsonRpcId): boolean {
    return this.awaitingClient.delete(idKey(id));
  }
}
