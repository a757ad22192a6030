import type { Dispatcher } from 'undici';
import { BridgeError, shuttingDownError } from '../../errors/catalogue';
import { sanitize } from '../../log/logger';
import type { Upstream } from '../../upstream/types';
import { classifyTransportError, type TransportFailure } from './transport-errors';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** An HTTP answer with its body still unread (the caller must consume or discard it). */
export interface OpenResponse {
  status: number;
  headers: ResponseHeaders;
  body: Dispatcher.ResponseData['body'];
  /** The session id the request carried, to tell a lost session from a renewed one. */
  sentSessionId?: string;
}

export type Exchange = { ok: true; response: OpenResponse } | { ok: false; failure: TransportFailure };

const EXCERPT_CHARS = 200;

export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isEventStream(headers: ResponseHeaders): boolean {
  return /^text\/event-stream/i.test(headerValue(headers, 'content-type') ?? '');
}

/** A short, single-line, secret-free excerpt of an error body for messages and logs. */
export function bodyExcerpt(body: string): string {
  const flat = sanitize(body).replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? flat.slice(0, EXCERPT_CHARS) + '…' : flat;
}

export function statusError(status: number, body: string, url: URL): BridgeError {
  const excerpt = bodyExcerpt(body);
  const upstreamError = rpcErrorIn(body);
  return new BridgeError('UPSTREAM_STATUS', `${url.host} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}.`, {
    data: { status, ...(upstreamError ? { upstreamError } : {}) },
  });
}

/**
 * The JSON-RPC error an error body carries, whatever its id (a server that could not read the request's id answers
 * `id: null`): its code tells a 2026-07-28 server's 400 or 404 from a 2025 server's.
 */
export function rpcErrorIn(body: string): { code: number; message: string } | undefined {
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.code === 'number') return { code: error.code, message: typeof error.message === 'string' ? sanitize(error.message).slice(0, EXCERPT_CHARS) : '' };
  } catch {
    // not JSON: no JSON-RPC error in it
  }
  return undefined;
}

/** Protocol headers a link sends on every request (e.g. the session id and negotiated version of a 2025 session). */
export type ProtocolHeaders = () => Record<string, string>;

/**
 * The HTTP side of a link: one method per Streamable HTTP verb, each sending the -H headers, the link's protocol
 * headers and, for POST, the message's own. Transport failures come back classified, never thrown.
 */
export class HttpChannel {
  constructor(
    private readonly upstream: Upstream,
    private readonly protocolHeaders: ProtocolHeaders,
    /** Aborted at shutdown: ends requests and the waits between resends. */
    readonly signal: AbortSignal,
  ) {}

  get url(): URL {
    return this.upstream.url;
  }

  /** `messageHeaders`: headers derived from the message itself (none for 2025 sessions); `signal` ends this POST alone. */
  post(body: string | Buffer, messageHeaders: Record<string, string> = {}, signal = this.signal): Promise<Exchange> {
    return this.send('POST', { ...messageHeaders, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body, signal);
  }

  /** `signal` ends this GET alone (a resumption whose answer came another way). */
  get(lastEventId?: string, signal = this.signal): Promise<Exchange> {
    return this.send('GET', { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, undefined, signal);
  }

  /** A request without effects (Teleport and MCP servers answer it 405 or 204): does a new connection get an answer? */
  probe(): Promise<Exchange> {
    return this.send('OPTIONS', {});
  }

  delete(signal: AbortSignal): Promise<Exchange> {
    return this.send('DELETE', {}, undefined, signal);
  }

  private async send(method: 'POST' | 'GET' | 'DELETE' | 'OPTIONS', own: Record<string, string>, body?: string | Buffer, signal = this.signal): Promise<Exchange> {
    const url = this.upstream.url;
    const protocol = this.protocolHeaders();
    try {
      const res = await this.upstream.dispatcher().request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: { ...this.upstream.headers, ...own, ...protocol },
        body,
        signal,
      });
      return {
        ok: true,
        response: { status: res.statusCode, headers: res.headers, body: res.body, sentSessionId: protocol['mcp-session-id'] },
      };
    } catch (err) {
      if (signal.aborted) return { ok: false, failure: { error: shuttingDownError(), sent: true, tls: false } };
      return { ok: false, failure: classifyTransportError(err, url) };
    }
  }
}
