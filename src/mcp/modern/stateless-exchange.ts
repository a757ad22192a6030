import type { Logger } from '../../log/logger';
import { isJsonObject, paramsOf, requestMetaOf, type Json } from '../era/meta';
import { rpcErrorOf, SPEC_ERRORS } from '../era/spec-errors';
import { HttpChannel } from '../http/channel';
import { Forwarder, type MessageSink, type ProtocolHooks, type Sent } from '../http/forwarder';
import { DEFAULT_MAX_OUTPUT_MESSAGE_SIZE } from '../limits';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc';
import type { LinkContext, LinkSettings } from '../link';
import { RequestHeaders } from './request-headers';

/** Results the 2026-07-28 revision makes cacheable: `ttlMs` and `cacheScope` are required in them (SEP-2549). */
const CACHEABLE = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/** Ids of the requests the bridge makes on its own (never seen by the client). */
let ownIds = 0;
export function bridgeRequestId(purpose: string): string {
  return `mcp-bridge-${purpose}-${++ownIds}`;
}

/**
 * The 2026-07-28 Streamable HTTP exchange, stateless: every message is one POST carrying the headers derived from it
 * (request-headers.ts), no session, no GET stream, nothing to repair; many response streams at once, each ended on
 * its own by the caller's signal (closing a modern response stream is how a call is cancelled). Answers are made
 * usable on the way back: tools/list results teach the `x-mcp-header` annotations (invalid tools left out); results
 * that lost fields the revision requires on the way (Teleport's App Service re-serialises tools/list without
 * `resultType`, `ttlMs` and `cacheScope`, which SDK v2 clients then reject) get them back with the values that
 * change nothing: complete, no caching; and a tools/call refused for a header mismatch on a tool whose
 * annotations were never seen is retried once after listing the tools.
 */
export class StatelessExchange {
  readonly headers: RequestHeaders;
  private readonly forwarder: Forwarder;
  private readonly logger: Logger;

  constructor(context: LinkContext, settings: LinkSettings, sink: MessageSink = context.server) {
    this.headers = new RequestHeaders(context.logger);
    const hooks: ProtocolHooks = {
      beforeSend: async () => undefined,
      repair: async () => false,
      invitesServerRequests: false,
      headersFor: (outgoing) => this.headers.for(outgoing.message),
    };
    const channel = new HttpChannel(context.upstream, () => ({}), context.signal);
    this.forwarder = new Forwarder(context.upstream, channel, hooks, sink, context.logger, settings.unreachedRetryMs, settings.maxOutputMessageSize ?? DEFAULT_MAX_OUTPUT_MESSAGE_SIZE);
    this.logger = context.logger;
  }

  /** Sends one request and brings back its answer (with its JSON text when it can be relayed as is). */
  async send(id: JsonRpcId, message: JsonRpcMessage, body: string | Buffer = JSON.stringify(message), signal?: AbortSignal): Promise<Sent> {
    let sent = await this.forwarder.send(id, { message, body }, signal);
    if (this.lacksToolHeaders(message, sent)) {
      await this.listTools(message, signal);
      sent = await this.forwarder.send(id, { message, body }, signal);
    }
    return 'failed' in sent ? sent : this.usable(message, sent);
  }

  /** Sends a notification (POST, 202 expected); failures are logged. */
  notify(message: JsonRpcMessage, body: string | Buffer, what: string): Promise<boolean> {
    return this.forwarder.oneWay({ message, body }, what);
  }

  /** A HeaderMismatch for a tools/call whose tool's annotations the bridge never saw (no tools/list came through). */
  private lacksToolHeaders(message: JsonRpcMessage, sent: Sent): boolean {
    if (message.method !== 'tools/call' || 'failed' in sent) return false;
    const name = paramsOf(message)?.name;
    return typeof name === 'string' && !this.headers.knows(name) && rpcErrorOf(sent.answer)?.code === SPEC_ERRORS.HEADER_MISMATCH;
  }

  /** Lists every tool (all pages) with the `_meta` of `like`, so their annotations are known. */
  private async listTools(like: JsonRpcMessage, signal?: AbortSignal): Promise<void> {
    const meta = requestMetaOf(like) ?? {};
    let cursor: unknown;
    do {
      const id = bridgeRequestId('tools');
      const request = { jsonrpc: '2.0', id, method: 'tools/list', params: { _meta: meta, ...(cursor === undefined ? {} : { cursor }) } };
      const sent = await this.forwarder.send(id, { message: request, body: JSON.stringify(request) }, signal);
      if ('failed' in sent || !isJsonObject(sent.answer.result)) return;
      this.headers.learn(sent.answer.result);
      cursor = sent.answer.result.nextCursor;
    } while (typeof cursor === 'string' && cursor !== '');
    this.logger.debug('listed the tools to learn their x-mcp-header annotations');
  }

  private usable(message: JsonRpcMessage, sent: { answer: JsonRpcMessage; text?: string }): Sent {
    const method = message.method as string;
    let result = sent.answer.result;
    if (!isJsonObject(result)) return sent;
    let changed = false;
    if (method === 'tools/list') ({ result, changed } = this.headers.learn(result));
    if (!isJsonObject(result)) return sent;
    const missing: Json = {};
    if (result.resultType === undefined) missing.resultType = 'complete';
    if (CACHEABLE.has(method)) {
      if (result.ttlMs === undefined) missing.ttlMs = 0;
      if (result.cacheScope === undefined) missing.cacheScope = 'private';
    }
    if (Object.keys(missing).length) {
      this.logger.debug('restoring result fields lost on the way', { method, fields: Object.keys(missing).join(',') });
      result = { ...result, ...missing };
      changed = true;
    }
    return changed ? { answer: { ...sent.answer, result } } : sent;
  }
}
