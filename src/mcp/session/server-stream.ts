import { setTimeout as sleep } from 'node:timers/promises';
import { asBridgeError } from '../../errors/catalogue';
import type { Logger } from '../../log/logger';
import type { Upstream } from '../../upstream/types';
import { Backoff } from '../backoff';
import { bodyExcerpt, isEventStream, type HttpChannel } from '../http/channel';
import { refusalOf } from '../http/gateway-errors';
import type { Replay } from '../http/forwarder';
import { readSseEvents } from '../http/sse-reader';
import { collectUnder } from '../message/message-collector';
import type { ServerMessages } from '../server-messages';
import type { McpSession } from './session';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

/**
 * The GET stream that carries server-initiated messages (logging, resource updates, roots/list requests). Kept open
 * for the whole session: reopened with capped exponential backoff (or the server's `retry:`, which holds until another
 * stream sets a new one), resumed with Last-Event-ID when events carried ids, reopened at once when the session is
 * renewed or a refusal was fixed by upstream.recoverFrom() (a `retry`). 405 means the server offers none.
 */
export class ServerStream {
  private running = false;
  private stopped = false;
  private wake = new AbortController();
  private lastEventId?: string;
  private generation = -1;

  constructor(
    private readonly upstream: Upstream,
    private readonly channel: HttpChannel,
    private readonly session: McpSession,
    private readonly serverMessages: ServerMessages,
    private readonly replay: Replay,
    private readonly logger: Logger,
    /** --max-output-message-size: messages over it are dropped as they arrive, never held (0 = no limit). */
    private readonly maxOutputMessageSize: number,
  ) {}

  /** Opens the stream; `answered` is called once the server has answered the first GET, whatever it said. */
  start(answered: () => void = () => undefined): void {
    if (this.running || this.stopped) return answered();
    this.running = true;
    void this.run(answered).finally(() => {
      this.running = false;
      answered();
    });
  }

  /** Cuts a pending back-off short (the session was just renewed). */
  nudge(): void {
    this.wake.abort();
  }

  stop(): void {
    this.stopped = true;
    this.nudge();
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.wake.signal }).catch(() => undefined);
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  private async run(answered: () => void): Promise<void> {
    const backoff = new Backoff(FIRST_DELAY_MS, MAX_DELAY_MS);
    let retryMs: number | undefined;
    /** One recovery per run of refusals: fresh credentials that are refused too are not the upstream's to fix. */
    let recovered = false;
    while (!this.stopped) {
      if (this.generation !== this.session.generation) {
        this.generation = this.session.generation;
        this.lastEventId = undefined; // event ids belong to the old session
      }
      const exchange = await this.channel.get(this.lastEventId);
      answered();
      if (this.stopped) {
        if (exchange.ok) exchange.response.body.destroy();
        return;
      }
      if (!exchange.ok) {
        this.logger.debug('server stream: connection failed', { error: exchange.failure.error.detail });
      } else {
        const res = exchange.response;
        if (res.status === 200 && isEventStream(res.headers)) {
          backoff.reset();
          recovered = false;
          retryMs = (await this.consume(res.body)) ?? retryMs;
        } else {
          const text = await res.body.text().catch(() => '');
          if (res.status === 405) {
            this.logger.debug('server offers no server stream (405)');
            return;
          }
          if (this.session.isSessionGone(res.status, text, res.sentSessionId)) {
            try {
              await this.session.reestablish(res.sentSessionId, this.replay);
              continue;
            } catch (err) {
              this.logger.warn('server stream: session could not be re-established', { error: asBridgeError(err).message });
              if (this.session.failure) return;
            }
          } else {
            const refusal = refusalOf(res, text);
            if (refusal && !recovered) {
              recovered = true;
              if ((await this.upstream.recoverFrom(refusal)).action === 'retry') continue;
            }
            this.logger.warn('server stream refused', { status: res.status, body: bodyExcerpt(text) });
          }
        }
      }
      const delayMs = retryMs ?? backoff.next();
      this.logger.debug('server stream: reconnecting', { delayMs });
      await this.pause(delayMs);
    }
  }

  /** Delivers events until the stream ends; returns the server's requested reconnection delay, if any. */
  private async consume(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<number | undefined> {
    let retryMs: number | undefined;
    const stopOnWake = () => body.destroy();
    this.wake.signal.addEventListener('abort', stopOnWake, { once: true });
    try {
      const limit = this.maxOutputMessageSize;
      for await (const event of readSseEvents(body, { sink: collectUnder(limit), onRetry: (ms) => (retryMs = ms) })) {
        if (event.id !== undefined) this.lastEventId = event.id;
        if (!this.serverMessages.firstSighting(event.id) || event.size === 0) continue;
        const data = event.data;
        if (data.kind === 'oversize') this.serverMessages.dropOversize(data.envelope, data.size, limit);
        else if (data.kind === 'not-json') this.logger.warn('server stream: skipped an event that is not JSON');
        else if (data.kind === 'message') await this.serverMessages.deliverRaw(data.message);
      }
      this.logger.debug('server stream ended');
    } catch (err) {
      this.logger.debug('server stream dropped', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.wake.signal.removeEventListener('abort', stopOnWake);
    }
    return retryMs;
  }
}
