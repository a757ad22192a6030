import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeError, asBridgeError, toJsonRpcError } from '../../errors/catalogue';
import type { Logger } from '../../log/logger';
import type { Upstream } from '../../upstream/types';
import { classify, errorResponse, isResponseTo, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc';
import { rawReply, type ClientMessage, type Reply } from '../link';
import type { Collected } from '../message/message-collector';
import { collectUnder, MessageCollector } from '../message/message-collector';
import type { RawMessage } from '../message/raw-message';
import type { ServerMessages } from '../server-messages';
import { tooLargeAnswer } from '../stdio/output-limit';
import { HttpChannel, headerValue, isEventStream, statusError, type OpenResponse } from './channel';
import { gatewayVerdict, refusalOf } from './gateway-errors';
import { RetryWindow, UNREACHED_RETRY_WINDOW_MS } from './retry-window';
import { readSseEvents } from './sse-reader';

/** Sends one message upstream outside the protocol's own state (a session's replayed initialize) and returns its answer. */
export type Replay = (message: JsonRpcMessage) => Promise<{ response?: JsonRpcMessage; sessionId?: string }>;

/**
 * What a protocol era adds to the HTTP exchange of each message: the 2025 session (src/mcp/session/) waits for and
 * repairs a lost session; a stateless link has nothing to wait for or repair.
 */
export interface ProtocolHooks {
  /** Waits for whatever must precede a send (a session being re-established); rejects when it never will. */
  beforeSend(): Promise<void>;
  /**
   * A non-2xx answer the protocol may fix by itself (a session the server lost): resolves true when it was fixed and
   * the message should be sent again; rejects when fixing it failed for good.
   */
  repair(response: { status: number; sentSessionId?: string }, body: string): Promise<boolean>;
  /** The client declared sampling/elicitation/roots upstream, so the server may send requests inside an answer stream. */
  readonly invitesServerRequests: boolean;
  /**
   * Headers derived from the message itself (the 2026-07-28 revision's Mcp-Method and kin; none for 2025 sessions).
   * Read `outgoing.message` only when they depend on it: a large message is parsed on that read.
   */
  headersFor(outgoing: ClientMessage): Record<string, string>;
}

/** How much of a body that holds no answer is quoted in the error. */
const EXCERPT_BYTES = 1024;
/** How many resumes in a row may bring nothing new before a response stream that carried event ids is given up. */
const MAX_FRUITLESS_RESUMES = 3;
const DEFAULT_RESUME_DELAY_MS = 500;

/** The answer to the request: the server's bytes, or an error in their place. */
interface Found {
  answer: Reply;
}

/** How one POST's answer stream ended when it did not contain the response. */
interface StreamEnd {
  lastEventId?: string;
  retryMs?: number;
  sawServerRequest: boolean;
  error?: unknown;
}

/** The one-time recoveries a message has spent, its resends while the server could not be reached, and its signal. */
interface Spent {
  renewed: boolean;
  recovered: boolean;
  unreached?: RetryWindow;
  /** The channel's shutdown signal, or that and the caller's own (closing a modern response stream cancels the call). */
  signal: AbortSignal;
}

/** A request's answer, or the failure that replaced it (for callers that tell failures apart, e.g. era detection). */
export type Sent = { answer: JsonRpcMessage; text?: string; raw?: RawMessage; sessionId?: string } | { failed: BridgeError };

/** Where messages from the server other than the awaited response go (ServerMessages, or a link's own filter). */
export type MessageSink = Pick<ServerMessages, 'firstSighting' | 'deliver' | 'deliverRaw' | 'dropOversize' | 'expectResponse'>;

type Attempt =
  | { done: true; answer: Reply; sessionId?: string }
  | { done: false; retry: true }
  | { done: false; fail: BridgeError };

/**
 * Sends one client message upstream and brings back its answer, applying the recovery rules: a refusal fresh
 * credentials can fix is retried once after upstream.recoverFrom(); a message that never reached the MCP server (the
 * connection was refused, the gateway could not dial the server, or recoverFrom() says so) is resent with back-off
 * for a bounded window; what the protocol can repair (a lost session) is repaired and the request retried; a response
 * stream that carried event ids is resumed with Last-Event-ID. Anything else becomes one JSON-RPC error.
 */
export class Forwarder {
  constructor(
    private readonly upstream: Upstream,
    private readonly channel: HttpChannel,
    private readonly protocol: ProtocolHooks,
    private readonly serverMessages: MessageSink,
    private readonly logger: Logger,
    private readonly unreachedRetryMs: number = UNREACHED_RETRY_WINDOW_MS,
    /** --max-output-message-size: answers over it are let go as they arrive (0 = no limit). */
    private readonly maxOutputMessageSize = 0,
  ) {}

  /** The replay hook a session uses to re-initialise: no session recovery of its own, but it rides out restarts. */
  readonly replay: Replay = async (message) => {
    const c = classify(message);
    const outgoing: ClientMessage = { message, body: JSON.stringify(message) };
    const spent: Spent = { renewed: true, recovered: true, signal: this.channel.signal };
    for (;;) {
      const result = await this.attempt(outgoing, c.kind === 'request' ? c.id : undefined, spent);
      if (result.done) return { response: result.answer.message, sessionId: result.sessionId };
      if ('fail' in result) throw result.fail;
    }
  };

  /** Forwards a request; resolves with its answer (the server's bytes when relayed as is) or an error response, never rejects. */
  async request(id: JsonRpcId, outgoing: ClientMessage, signal?: AbortSignal): Promise<{ answer: Reply; sessionId?: string }> {
    const done = await this.exchange(id, outgoing, signal);
    return 'failed' in done ? { answer: { message: errorResponse(id, toJsonRpcError(done.failed)) } } : done;
  }

  /**
   * Like request(), with a failure left as the error itself. `signal` ends this request alone. The answer is parsed
   * only if read: a large one stays the bytes it arrived in (`raw`), for a reply made with replyOf().
   */
  async send(id: JsonRpcId, outgoing: ClientMessage, signal?: AbortSignal): Promise<Sent> {
    const done = await this.exchange(id, outgoing, signal);
    if ('failed' in done) return done;
    const { answer, sessionId } = done;
    return {
      get answer() {
        return answer.message;
      },
      text: answer.text,
      raw: answer.raw,
      sessionId,
    };
  }

  /**
   * The request's own exchange, raced with its response arriving on another stream (a 2025 server may answer a call
   * whose stream it closed on the GET stream instead of the resumption): whichever brings it first answers, and the
   * other is let go.
   */
  private async exchange(id: JsonRpcId, outgoing: ClientMessage, signal?: AbortSignal): Promise<{ answer: Reply; sessionId?: string } | { failed: BridgeError }> {
    const elsewhere = this.serverMessages.expectResponse(id);
    const answeredElsewhere = new AbortController();
    try {
      return await Promise.race([
        this.exchangeOwn(id, outgoing, this.signalWith(signal, answeredElsewhere.signal)),
        elsewhere.arrived.then((answer) => {
          answeredElsewhere.abort();
          return { answer };
        }),
      ]);
    } finally {
      elsewhere.release();
    }
  }

  private async exchangeOwn(id: JsonRpcId, outgoing: ClientMessage, signal: AbortSignal): Promise<{ answer: Reply; sessionId?: string } | { failed: BridgeError }> {
    try {
      await this.upstream.ready();
      const spent: Spent = { renewed: false, recovered: false, signal };
      for (;;) {
        await this.protocol.beforeSend();
        const result = await this.attempt(outgoing, id, spent);
        if (result.done) return { answer: result.answer, sessionId: result.sessionId };
        if ('fail' in result) return { failed: result.fail };
      }
    } catch (err) {
      return { failed: asBridgeError(err) };
    }
  }

  private signalWith(...signals: (AbortSignal | undefined)[]): AbortSignal {
    return AbortSignal.any([this.channel.signal, ...signals.filter((s) => s !== undefined)]);
  }

  /** Forwards a notification or a response to a server request; failures are logged (there is no one to answer). */
  async oneWay(outgoing: ClientMessage, what: string): Promise<boolean> {
    try {
      await this.upstream.ready();
      const spent: Spent = { renewed: false, recovered: false, signal: this.channel.signal };
      for (;;) {
        await this.protocol.beforeSend();
        const result = await this.attempt(outgoing, undefined, spent);
        if (result.done) return true;
        if ('fail' in result) throw result.fail;
      }
    } catch (err) {
      this.logger.warn(`could not deliver ${what} upstream`, { error: asBridgeError(err).message });
      return false;
    }
  }

  /** One POST (plus resumptions of its stream). */
  private async attempt(outgoing: ClientMessage, id: JsonRpcId | undefined, spent: Spent): Promise<Attempt> {
    const exchange = await this.channel.post(outgoing.body, this.protocol.headersFor(outgoing), spent.signal);
    if (!exchange.ok) {
      const { failure } = exchange;
      if (failure.tls && !spent.recovered) {
        spent.recovered = true;
        if ((await this.upstream.recoverFrom({ kind: 'tls', error: failure.error })).action === 'retry') return { done: false, retry: true };
      }
      if (!failure.sent && !failure.tls) return this.resendUnreached(failure.error, spent);
      if (failure.sent && failure.tls) return { done: false, fail: await this.refusedOrGone(failure.error) };
      return { done: false, fail: failure.error };
    }
    const res = exchange.response;
    const sessionId = headerValue(res.headers, 'mcp-session-id');
    if (res.status >= 200 && res.status < 300) {
      if (id === undefined || res.status === 202) {
        res.body.dump().catch(() => undefined);
        return id === undefined
          ? { done: true, answer: { get message() { return outgoing.message; } } }
          : { done: false, fail: statusError(res.status, 'accepted without an answer', this.channel.url) };
      }
      return this.answerFrom(res, id, sessionId, spent.signal);
    }
    const text = await res.body.text().catch(() => '');
    if (!spent.renewed && (await this.protocol.repair(res, text))) {
      spent.renewed = true;
      return { done: false, retry: true };
    }
    const refusal = !spent.recovered ? refusalOf(res, text) : undefined;
    if (refusal) {
      const verdict = await this.upstream.recoverFrom(refusal);
      // One retry per message (its later refusals are not asked about); `resend` (the request never reached the
      // server: e.g. an unreachable App Service) goes on with back-off inside the message's window, asking again.
      if (verdict.action === 'retry') {
        spent.recovered = true;
        return { done: false, retry: true };
      }
      if (verdict.action === 'resend') return this.resendUnreached(verdict.error, spent);
      if (verdict.action === 'fail') return { done: false, fail: verdict.error };
    }
    const passthrough = id === undefined ? undefined : jsonRpcErrorFor(text, id);
    if (passthrough) return { done: true, answer: { message: passthrough } };
    const gateway = gatewayVerdict(res.status, res.headers, text, this.channel.url, this.upstream.answerLimits);
    if (gateway?.kind === 'unreached') return this.resendUnreached(gateway.error, spent);
    return { done: false, fail: gateway?.error ?? statusError(res.status, text, this.channel.url) };
  }

  /**
   * A new TLS connection closed before a byte, and fresh credentials did not help: a certificate the server refuses
   * does it again to a probe without effects; a server (or proxy) that went away meanwhile does not, and then the
   * request may have run.
   */
  private async refusedOrGone(refused: BridgeError): Promise<BridgeError> {
    const probe = await this.channel.probe();
    if (probe.ok) await probe.response.body.dump().catch(() => undefined);
    else if (probe.failure.tls) return refused;
    return new BridgeError('MAY_HAVE_RUN', `The connection to ${this.channel.url.host} closed after the request was sent, before any answer (the server or proxy went away).`, { cause: refused });
  }

  /** Waits the next back-off delay and asks for a resend, or fails once the message's window is spent. */
  private async resendUnreached(error: BridgeError, spent: Spent): Promise<Attempt> {
    spent.unreached ??= new RetryWindow(this.unreachedRetryMs);
    if (!(await spent.unreached.wait(spent.signal))) return { done: false, fail: spent.unreached.exhausted(error) };
    this.logger.debug('the message did not reach the server; resending', { error: error.detail });
    return { done: false, retry: true };
  }

  private async answerFrom(res: OpenResponse, id: JsonRpcId, sessionId: string | undefined, signal: AbortSignal): Promise<Attempt> {
    if (!isEventStream(res.headers)) {
      const body = new MessageCollector(this.maxOutputMessageSize);
      try {
        for await (const chunk of res.body) body.push(chunk as Buffer);
      } catch (err) {
        throw new BridgeError('MAY_HAVE_RUN', `The answer from ${this.channel.url.host} was cut off: ${String(err)}`);
      }
      const collected = body.finish();
      // A JSON body answers this request: one too large for the client becomes its error whatever the body holds.
      if (collected.kind === 'oversize') return { done: true, answer: { message: tooLargeAnswer(id, collected.size, this.maxOutputMessageSize) }, sessionId };
      const found = collected.kind === 'message' ? await this.pickResponse(collected.message, id) : undefined;
      if (found) return { done: true, answer: found.answer, sessionId };
      const excerpt = collected.kind === 'blank' ? '' : collected.message.head(EXCERPT_BYTES);
      return { done: false, fail: statusError(res.status, `no response to the request in: ${excerpt}`, this.channel.url) };
    }
    let end = await this.readStream(res.body, id);
    // A server may close a response stream at will and expect a resume (SSE polling): only resumes that bring
    // nothing new count against the limit.
    for (let fruitless = 0; !('answer' in end) && end.lastEventId !== undefined && fruitless < MAX_FRUITLESS_RESUMES && !signal.aborted; ) {
      await sleep(end.retryMs ?? DEFAULT_RESUME_DELAY_MS, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      this.logger.debug('resuming a response stream', { fruitless });
      const next = await this.resume(end.lastEventId, id, signal);
      if (!next) {
        fruitless++;
        continue;
      }
      if ('answer' in next) {
        end = next;
        break;
      }
      fruitless = next.lastEventId !== undefined && next.lastEventId !== end.lastEventId ? 0 : fruitless + 1;
      end = {
        ...next,
        lastEventId: next.lastEventId ?? end.lastEventId,
        retryMs: next.retryMs ?? end.retryMs,
        sawServerRequest: next.sawServerRequest || end.sawServerRequest,
      };
    }
    if ('answer' in end) return { done: true, answer: end.answer, sessionId };
    return { done: false, fail: this.streamEndError(end) };
  }

  /** GET with Last-Event-ID for the rest of a response stream; undefined when the server would not resume it. */
  private async resume(lastEventId: string, id: JsonRpcId, signal: AbortSignal): Promise<Found | StreamEnd | undefined> {
    const exchange = await this.channel.get(lastEventId, signal);
    if (!exchange.ok) return undefined;
    const resumed = exchange.response;
    if (resumed.status !== 200 || !isEventStream(resumed.headers)) {
      await resumed.body.dump().catch(() => undefined);
      return undefined;
    }
    return this.readStream(resumed.body, id);
  }

  /**
   * An answer stream that ended (cleanly or cut) without the response: the call may have run. A server request is
   * blamed only when one was seen. A gateway that stops relaying what it cannot pass ends the stream cleanly, so on a
   * path with known answer limits (Teleport's) a result over them is the likely cause, unless the client invited
   * server requests the path cannot carry, which end the stream the same way.
   */
  private streamEndError(end: StreamEnd): BridgeError {
    const host = this.channel.url.host;
    if (end.sawServerRequest) {
      return new BridgeError('SERVER_REQUEST_UNSUPPORTED', `The answer stream from ${host} ended before the response, after the server sent a request to the client.`);
    }
    const ended = `The answer stream from ${host} ended before the response (the call may have run)`;
    const why = end.error ? `: ${end.error instanceof Error ? end.error.message : String(end.error)}` : '';
    const limits = this.upstream.answerLimits;
    if (this.protocol.invitesServerRequests && !this.upstream.carriesServerRequests) {
      const larger = limits ? `, or a result over the path's limits (${limits})` : '';
      return new BridgeError('MAY_HAVE_RUN', `${ended}${why}; likely the server sent a request to the client (sampling, elicitation, roots), which this path cannot carry${larger}.`);
    }
    if (limits && !end.error) return new BridgeError('RESPONSE_TOO_LARGE', `${ended}: most likely the result was larger than the path passes (${limits}).`);
    return new BridgeError('MAY_HAVE_RUN', `${ended}${why}.`);
  }

  /**
   * Reads an SSE answer, delivering everything but the response to stdout as it arrives. Each event's data is
   * collected as the chunks it came in, under the output limit: the response is relayed as those bytes, one over the
   * limit becomes its error, and other messages over it are dropped without ever being held.
   */
  private async readStream(body: AsyncIterable<Buffer>, id: JsonRpcId): Promise<Found | StreamEnd> {
    const end: StreamEnd = { sawServerRequest: false };
    const limit = this.maxOutputMessageSize;
    try {
      for await (const event of readSseEvents(body, { sink: collectUnder(limit), onRetry: (ms) => (end.retryMs = ms) })) {
        if (event.id !== undefined) end.lastEventId = event.id;
        if (!this.serverMessages.firstSighting(event.id) || event.size === 0) continue;
        const data: Collected = event.data;
        if (data.kind === 'oversize') {
          if (answers(data.envelope, id)) return { answer: { message: tooLargeAnswer(id, data.size, limit) } };
          if (this.serverMessages.dropOversize(data.envelope, data.size, limit)) end.sawServerRequest = true;
          continue;
        }
        if (data.kind !== 'message') continue; // not JSON: nothing to relay
        const found = await this.pickResponse(data.message, id, end);
        if (found) return found;
      }
    } catch (err) {
      end.error = err;
    }
    return end;
  }

  /**
   * The response to `id` in one body or event; everything else in it goes to the client. A single message is routed
   * by its envelope, unparsed; an array (older servers batched) is parsed.
   */
  private async pickResponse(raw: RawMessage, id: JsonRpcId, end?: StreamEnd): Promise<Found | undefined> {
    if (raw.envelope.kind !== 'invalid') {
      if (answers(raw.envelope, id)) return { answer: rawReply(raw) };
      if ((await this.serverMessages.deliverRaw(raw)) && end) end.sawServerRequest = true;
      return undefined;
    }
    let found: Found | undefined;
    for (const { message, text } of parseMessages(raw.text())) {
      if (!found && isResponseTo(message, id)) found = { answer: { message, text } };
      else if ((await this.serverMessages.deliver(message, text)) && end) end.sawServerRequest = true;
    }
    return found;
  }
}

/** Whether a message with this envelope is the response (or error) to request `id`. */
function answers(envelope: RawMessage['envelope'], id: JsonRpcId): boolean {
  return (envelope.kind === 'response' || envelope.kind === 'error') && envelope.id === id;
}

/** A message parsed from a body or event, with that text when it was the whole of it (then it is relayed as is). */
interface Parsed {
  message: JsonRpcMessage;
  text?: string;
}

/** JSON-RPC messages in a body or event (one object, or an array from older servers); unparsable text yields none. */
function parseMessages(text: string): Parsed[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return isObject(value) ? [{ message: value, text }] : [];
  return value.filter(isObject).map((message) => ({ message }));
}

function isObject(value: unknown): value is JsonRpcMessage {
  return typeof value === 'object' && value !== null;
}

/** An error body that is a JSON-RPC error for this request (e.g. Teleport's RBAC denial) passes through unchanged. */
function jsonRpcErrorFor(text: string, id: JsonRpcId): JsonRpcMessage | undefined {
  const [parsed] = parseMessages(text);
  return parsed && isResponseTo(parsed.message, id) && 'error' in parsed.message ? parsed.message : undefined;
}
