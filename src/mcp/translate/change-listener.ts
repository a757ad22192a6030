import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/logger';
import { Backoff } from '../backoff';
import { isJsonObject, META, paramsOf, type Json } from '../era/meta';
import type { MessageSink } from '../http/forwarder';
import type { JsonRpcMessage } from '../jsonrpc';
import type { LinkContext, LinkSettings } from '../link';
import { keepListening } from '../modern/listen-stream';
import { bridgeRequestId, StatelessExchange } from '../modern/stateless-exchange';
import type { ClientSession } from './client-session';

/** How long a resources/subscribe waits for the server to acknowledge the new subscription before answering anyway. */
const ACK_WAIT_MS = 10_000;
/** How long the client's first requests wait for the first stream to be acknowledged (then they go anyway). */
const FIRST_ACK_HOLD_MS = 2_000;
const GRACEFUL_RELISTEN_MS = 1_000;

/** One `subscriptions/listen` request and what it asked for. */
interface Listening {
  id: string;
  stop: AbortController;
  acknowledged: Promise<void>;
  acknowledge(): void;
}

/**
 * The change notifications a 2025 client gets unasked — tools, prompts and resources list changes — and the resource
 * updates it asks for with `resources/subscribe`, obtained from a 2026-07-28 server the only way it offers them: a
 * `subscriptions/listen` stream, kept open, whose filter follows the server's listChanged capabilities and the
 * client's subscriptions. A changed filter opens a new stream and closes the old one once the new one is
 * acknowledged, so nothing is missed in between. The client gets the notifications as a 2025 server sends them
 * (without the subscription id); the acknowledgements stay here.
 */
export class ChangeListener {
  private readonly exchange: StatelessExchange;
  private readonly uris = new Set<string>();
  /** Streams whose notifications reach the client: the current one, and the one it replaces until it is acknowledged. */
  private readonly live = new Map<string, Listening>();
  private current?: Listening;
  private started = false;
  private firstListen?: Promise<void>;
  private readonly logger: Logger;

  constructor(
    private readonly context: LinkContext,
    settings: LinkSettings,
    private readonly session: ClientSession,
  ) {
    this.logger = context.logger;
    const sink: MessageSink = {
      firstSighting: (eventId) => context.server.firstSighting(eventId),
      deliver: (message, text) => this.deliver(message, text),
      // Notifications on a listen stream are small: read to be filtered by subscription.
      deliverRaw: (raw) => this.deliver(raw.value() as JsonRpcMessage),
      dropOversize: (envelope, size, limit) => context.server.dropOversize(envelope, size, limit),
      expectResponse: (id) => context.server.expectResponse(id),
    };
    this.exchange = new StatelessExchange(context, settings, sink);
  }

  /** The client is initialized: listen for the list changes the server announces. */
  start(): void {
    this.started = true;
    this.firstListen = this.relisten();
  }

  /**
   * Resolves once the first stream is acknowledged (bounded): a request sent before that could change a list while
   * nobody listens yet, and its notification would be lost.
   */
  whenListening(): Promise<void> {
    if (!this.firstListen) return Promise.resolve();
    return Promise.race([this.firstListen, sleep(FIRST_ACK_HOLD_MS, undefined, { ref: false })]);
  }

  async subscribe(uri: string): Promise<void> {
    this.uris.add(uri);
    await this.relisten();
  }

  async unsubscribe(uri: string): Promise<void> {
    if (this.uris.delete(uri)) await this.relisten();
  }

  stop(): void {
    for (const listening of this.live.values()) this.end(listening);
    this.current = undefined;
  }

  private end(listening: Listening): void {
    listening.stop.abort();
    this.live.delete(listening.id);
  }

  /** The filter of the stream to have: the server's listChanged capabilities, and the client's subscriptions. */
  private filter(): Json | undefined {
    const caps = this.session.serverCapabilities;
    const listChanged = (name: string) => isJsonObject(caps[name]) && (caps[name] as Json).listChanged === true;
    const filter: Json = {};
    if (listChanged('tools')) filter.toolsListChanged = true;
    if (listChanged('prompts')) filter.promptsListChanged = true;
    if (listChanged('resources')) filter.resourcesListChanged = true;
    if (this.uris.size) filter.resourceSubscriptions = [...this.uris];
    return Object.keys(filter).length ? filter : undefined;
  }

  /** Opens a stream with the current filter; resolves once it is acknowledged (or after a bounded wait). */
  private async relisten(): Promise<void> {
    if (!this.started || this.context.signal.aborted) return;
    const filter = this.filter();
    const previous = this.current;
    if (!filter) {
      this.stop();
      return;
    }
    let acknowledge!: () => void;
    const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
    const listening: Listening = { id: bridgeRequestId('listen'), stop: new AbortController(), acknowledged, acknowledge };
    this.current = listening;
    this.live.set(listening.id, listening);
    void this.run(listening, filter);
    const waited = await Promise.race([acknowledged.then(() => true), sleep(ACK_WAIT_MS, false, { ref: false })]);
    if (!waited) this.logger.warn('the server has not acknowledged subscriptions/listen yet; change notifications may be late');
    if (previous && previous !== this.current) this.end(previous);
  }

  /** Keeps one stream open until it is replaced or the relay stops; a server's graceful end is followed by a new one. */
  private async run(listening: Listening, filter: Json): Promise<void> {
    const signal = AbortSignal.any([listening.stop.signal, this.context.signal]);
    const backoff = new Backoff(GRACEFUL_RELISTEN_MS, 30_000);
    while (!signal.aborted) {
      const request = this.session.stamp({ jsonrpc: '2.0', id: listening.id, method: 'subscriptions/listen' }, { notifications: filter });
      const ended = await keepListening(this.exchange, listening.id, request, JSON.stringify(request), signal, this.logger);
      if (!ended) return;
      if ('answer' in ended && 'error' in ended.answer) {
        this.logger.warn('the server refused subscriptions/listen: list changes and resource updates will not reach the client', {
          error: JSON.stringify(ended.answer.error).slice(0, 200),
        });
        listening.acknowledge();
        return;
      }
      this.logger.debug('the server ended subscriptions/listen; listening again');
      await sleep(backoff.next(), undefined, { signal }).catch(() => undefined);
    }
  }

  private async deliver(message: JsonRpcMessage, text?: string): Promise<boolean> {
    const params = paramsOf(message);
    const meta = isJsonObject(params?._meta) ? params._meta : undefined;
    const subscription = meta?.[META.subscriptionId];
    if (subscription === undefined) return this.context.server.deliver(message, text);
    const listening = typeof subscription === 'string' ? this.live.get(subscription) : undefined;
    if (message.method === 'notifications/subscriptions/acknowledged') {
      listening?.acknowledge();
      return false;
    }
    // A stream already replaced (its notifications now come on the new one).
    if (!listening) return false;
    const plainMeta: Json = { ...meta };
    delete plainMeta[META.subscriptionId];
    const plain: Json = { ...params, _meta: plainMeta };
    if (!Object.keys(plainMeta).length) delete plain._meta;
    const { params: _tagged, ...bare } = message;
    return this.context.server.deliver(Object.keys(plain).length ? { ...bare, params: plain } : bare);
  }
}
