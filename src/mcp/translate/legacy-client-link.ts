import { BridgeError, shuttingDownError } from '../../errors/catalogue';
import type { Discovered } from '../era/discover';
import { paramsOf } from '../era/meta';
import { rpcErrorOf, SPEC_ERRORS } from '../era/spec-errors';
import type { Sent } from '../http/forwarder';
import { idKey, type JsonRpcId } from '../jsonrpc';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, LinkSettings, Reply } from '../link';
import { cancelledReply, failedReply, replyOf } from '../modern/replies';
import { StatelessExchange } from '../modern/stateless-exchange';
import { ChangeListener } from './change-listener';
import { ClientQuestions } from './client-questions';
import { ClientSession } from './client-session';
import { completeWithInput } from './input-rounds';

/** Client notifications of the 2025 protocol that a 2026-07-28 server has no use for. */
const ABSORBED_NOTIFICATIONS = new Set(['notifications/initialized', 'notifications/roots/list_changed']);

/**
 * A 2025 client in front of a 2026-07-28 server, translated as a dual-era SDK would: `initialize` is answered from
 * server/discover; every request carries in `_meta` what the client's initialize and `logging/setLevel` said; `ping`
 * and `logging/setLevel` are answered here; list changes and `resources/subscribe` ride on `subscriptions/listen`;
 * and a server's `input_required` result becomes ordinary elicitation/sampling/roots requests to the client, whose
 * answers complete the call (src/mcp/translate/input-rounds.ts) — so a 2025 client keeps elicitation, even through
 * a path that cannot carry server→client requests. Cancelling a request closes its response stream.
 */
export class LegacyClientLink implements Link {
  private readonly session: ClientSession;
  private readonly exchange: StatelessExchange;
  private readonly questions: ClientQuestions;
  private readonly changes: ChangeListener;
  private readonly inFlight = new Map<string, AbortController>();

  constructor(
    private readonly context: LinkContext,
    settings: LinkSettings,
    private readonly server: { version: string; discovered: Discovered; forgetEra(): Promise<void> },
  ) {
    this.session = new ClientSession(server.version, server.discovered, context.upstream.url.host);
    this.exchange = new StatelessExchange(context, settings);
    this.questions = new ClientQuestions(context.server);
    this.changes = new ChangeListener(context, settings, this.session);
  }

  async request({ id, method, message }: ClientRequest): Promise<Reply> {
    const params = paramsOf(message);
    switch (method) {
      case 'initialize':
        return { message: { jsonrpc: '2.0', id, result: this.session.initialize(message) } };
      case 'ping':
        return empty(id);
      case 'logging/setLevel':
        this.session.setLogLevel(params?.level);
        return empty(id);
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        if (typeof params?.uri !== 'string') return failedReply(id, new BridgeError('INVALID_REQUEST', `${method} needs a uri.`));
        await (method === 'resources/subscribe' ? this.changes.subscribe(params.uri) : this.changes.unsubscribe(params.uri));
        return empty(id);
      }
    }
    await this.changes.whenListening();
    const key = idKey(id);
    const cancel = new AbortController();
    this.inFlight.set(key, cancel);
    try {
      const signal = AbortSignal.any([cancel.signal, this.context.signal]);
      const sent = await completeWithInput(id, this.session.stamp(message), {
        send: (roundId, round) => this.exchange.send(roundId, round, JSON.stringify(round), cancel.signal),
        ask: (inputRequests) => this.questions.ask(inputRequests, signal, () => cancelledError(id, cancel.signal)),
      });
      if (cancel.signal.aborted) return cancelledReply(id);
      return replyOf(id, this.contradicted(sent, method));
    } finally {
      this.inFlight.delete(key);
    }
  }

  async notify({ method, message }: ClientNotification): Promise<void> {
    if (method === 'notifications/initialized') this.changes.start();
    if (method === 'notifications/cancelled') {
      const requestId = paramsOf(message)?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') this.inFlight.get(idKey(requestId))?.abort();
      return;
    }
    if (!ABSORBED_NOTIFICATIONS.has(method)) this.context.logger.debug('a 2026-07-28 server takes no client notifications; dropped', { method });
  }

  async respond(response: ClientResponse): Promise<void> {
    this.context.server.settleClientAnswer(response.id);
    if (!this.questions.answered(response)) {
      this.context.logger.warn('dropping a response from the client that answers no pending server request', { id: response.id });
    }
  }

  async close(): Promise<void> {
    this.changes.stop();
  }

  /**
   * A server that listed our version in server/discover and then refuses it for a request contradicts itself: the
   * client (which never chose that version) gets a tagged error instead of a confusing -32022.
   */
  private contradicted(sent: Sent, method: string): Sent {
    if ('failed' in sent || rpcErrorOf(sent.answer)?.code !== SPEC_ERRORS.UNSUPPORTED_PROTOCOL_VERSION) return sent;
    const detail = `${this.context.upstream.url.host} listed ${this.session.version} in server/discover but refused it for ${method}: ${rpcErrorOf(sent.answer)!.message}`;
    this.context.logger.warn('the server refused the protocol version it announced', { method });
    void this.server.forgetEra();
    return { failed: new BridgeError('ERA_CONTRADICTION', detail) };
  }
}

function empty(id: JsonRpcId): Reply {
  return { message: { jsonrpc: '2.0', id, result: {} } };
}

function cancelledError(id: JsonRpcId, cancel: AbortSignal): BridgeError {
  return cancel.aborted
    ? new BridgeError('REQUEST_CANCELLED', `Request ${JSON.stringify(id)} was cancelled by the client while the server waited for its input.`)
    : shuttingDownError();
}
