import type { Logger } from '../log/logger';
import { classify, idKey, type JsonRpcId, type JsonRpcMessage } from './jsonrpc';
import type { MessageWriter } from './stdio/message-writer';

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
  async deliver(message: JsonRpcMessage, text?: string): Promise<boolean> {
    const c = classify(message);
    if (c.kind === 'request') {
      const key = idKey(c.id);
      if (this.awaitingClient.has(key)) {
        this.logger.debug('dropping replayed server request', { method: c.method });
        return true;
      }
      this.awaitingClient.add(key);
      await this.writer.write(message, text);
      return true;
    }
    if (c.kind === 'notification') await this.writer.write(message, text);
    else this.logger.debug('dropping unexpected message from the server', { kind: c.kind });
    return false;
  }

  /** The client answered a server→client request: true when one with this id was awaiting its answer. */
  settleClientAnswer(id: JsonRpcId): boolean {
    return this.awaitingClient.delete(idKey(id));
  }
}
