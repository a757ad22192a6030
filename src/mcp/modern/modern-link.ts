import { paramsOf } from '../era/meta';
import { idKey } from '../jsonrpc';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, LinkSettings, Reply } from '../link';
import { keepListening } from './listen-stream';
import { cancelledReply, replyOf } from './replies';
import { StatelessExchange } from './stateless-exchange';

/**
 * A 2026-07-28 client relayed to a 2026-07-28 server, as the spec has it: each message one POST with the headers
 * derived from it, requests in flight concurrently, each on its own response stream. A client's
 * `notifications/cancelled` closes the cancelled request's stream (on HTTP that is the cancellation); a
 * `subscriptions/listen` stays open for the client across dropped connections. MRTR `input_required` results pass
 * through untouched: the client retries with its answers itself.
 */
export class ModernLink implements Link {
  private readonly exchange: StatelessExchange;
  private readonly inFlight = new Map<string, AbortController>();
  /** Open subscriptions/listen requests: they end only when the client, the server or shutdown ends them. */
  private readonly listening = new AbortController();

  constructor(
    private readonly context: LinkContext,
    settings: LinkSettings,
  ) {
    this.exchange = new StatelessExchange(context, settings);
  }

  // Its headers need the message's value (method, tool name, annotated arguments): a modern request is parsed.
  async request({ id, method, message, body }: ClientRequest): Promise<Reply> {
    const key = idKey(id);
    const cancel = new AbortController();
    this.inFlight.set(key, cancel);
    try {
      const sent =
        method === 'subscriptions/listen'
          ? await keepListening(this.exchange, id, message, body, AbortSignal.any([cancel.signal, this.listening.signal, this.context.signal]), this.context.logger)
          : await this.exchange.send(id, message, body, cancel.signal);
      if (cancel.signal.aborted) return cancelledReply(id);
      return replyOf(id, sent);
    } finally {
      this.inFlight.delete(key);
    }
  }

  async notify({ method, message, body }: ClientNotification): Promise<void> {
    if (method === 'notifications/cancelled') {
      const requestId = paramsOf(message)?.requestId;
      const cancel = typeof requestId === 'string' || typeof requestId === 'number' ? this.inFlight.get(idKey(requestId)) : undefined;
      cancel?.abort();
      return;
    }
    // The revision defines no other client notification over HTTP; one a server may know still goes up.
    await this.exchange.notify(message, body, method);
  }

  async respond({ id }: ClientResponse): Promise<void> {
    this.context.logger.warn('dropping a response from the client: a 2026-07-28 server sends no requests to answer', { id });
  }

  beginShutdown(): void {
    this.listening.abort();
  }

  async close(): Promise<void> {
    // Nothing to end on the server: the relay's signal already closed every response stream.
  }
}
