import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import pkg from '../../package.json';
import { BridgeError } from '../errors/catalogue';
import { bodyExcerpt, headerValue, isEventStream, statusError } from '../mcp/http/channel';
import { pieces, readSseEvents } from '../mcp/http/sse-reader';
import { classifyTransportError } from '../mcp/http/transport-errors';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../mcp/limits';
import { StreamConnection } from '../mcp/stream/connection';
import type { Upstream } from '../upstream/types';

/** What a short MCP conversation learned about the server. */
export interface McpProbeResult {
  serverName: string;
  serverVersion: string;
  protocolVersion: string;
  toolCount: number;
  /** Round trip of the initialize request, through every hop connect uses. */
  initializeMs: number;
}

/** The protocol revision doctor offers; the server answers with the one it speaks. */
const PROTOCOL_VERSION = '2025-06-18';
/** A server paging tools/list forever must not keep doctor running. */
const MAX_TOOL_PAGES = 50;

type JsonRpcReply = { id?: unknown; result?: Record<string, unknown>; error?: { code?: unknown; message?: unknown } };

function parseReply(text: string, what: string): JsonRpcReply {
  try {
    return JSON.parse(text) as JsonRpcReply;
  } catch {
    throw new BridgeError('UPSTREAM_STATUS', `${what} was answered with something other than JSON-RPC: ${bodyExcerpt(text)}`);
  }
}

/** The result of a JSON-RPC answer, or the error it carries as UPSTREAM_STATUS. */
function resultOf(reply: JsonRpcReply, method: string): Record<string, unknown> {
  if (reply.error) {
    throw new BridgeError('UPSTREAM_STATUS', `${method} was answered with JSON-RPC error ${String(reply.error.code)}: ${bodyExcerpt(String(reply.error.message))}`);
  }
  return reply.result ?? {};
}

/** The few exchanges doctor has with a server, whatever carries them. */
interface ProbeConversation {
  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  notify(method: string): Promise<void>;
  useProtocol(version: string): void;
  end(): Promise<void>;
}

/**
 * A minimal Streamable HTTP client over an Upstream's dispatcher (the connection pool connect relays through):
 * initialize, notifications/initialized, tools/list, then DELETE of the session. Answers may be JSON or SSE.
 */
class ProbeSession implements ProbeConversation {
  private sessionId?: string;
  private protocolVersion?: string;
  private nextId = 1;

  constructor(
    private readonly upstream: Upstream,
    private readonly signal: AbortSignal,
  ) {}

  private async send(method: 'POST' | 'DELETE', own: Record<string, string>, body?: string): Promise<Dispatcher.ResponseData> {
    const url = this.upstream.url;
    const protocol: Record<string, string> = {};
    if (this.sessionId) protocol['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) protocol['mcp-protocol-version'] = this.protocolVersion;
    try {
      return await this.upstream.dispatcher().request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: { ...this.upstream.headers, ...own, ...protocol },
        body,
        signal: this.signal,
      });
    } catch (err) {
      throw classifyTransportError(err, url).error;
    }
  }

  private post(message: Record<string, unknown>): Promise<Dispatcher.ResponseData> {
    return this.send('POST', { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, JSON.stringify({ jsonrpc: '2.0', ...message }));
  }

  async request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const res = await this.post({ id, method, params });
    this.sessionId = headerValue(res.headers, 'mcp-session-id') ?? this.sessionId;
    if (res.statusCode !== 200) throw statusError(res.statusCode, await res.body.text(), this.upstream.url);
    const reply = isEventStream(res.headers) ? await this.replyFromStream(res.body, id, method) : parseReply(await res.body.text(), method);
    return resultOf(reply, method);
  }

  /** The answer with our id; notifications the server sends before it are passed over. */
  private async replyFromStream(body: Dispatcher.ResponseData['body'], id: number, method: string): Promise<JsonRpcReply> {
    for await (const event of readSseEvents(body, { sink: pieces })) {
      if (event.size === 0) continue; // priming events and keep-alives
      const message = parseReply(Buffer.concat(event.data).toString('utf8'), method);
      if (message.id === id && (message.result !== undefined || message.error !== undefined)) return message;
    }
    throw new BridgeError('UPSTREAM_STATUS', `${method}: the server's event stream ended without an answer.`);
  }

  async notify(method: string): Promise<void> {
    const res = await this.post({ method });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw statusError(res.statusCode, text, this.upstream.url);
  }

  useProtocol(version: string): void {
    this.protocolVersion = version;
  }

  /** Ends the session on the server; a server that does not support DELETE (405) or is gone is fine. */
  async end(): Promise<void> {
    if (!this.sessionId) return;
    await this.send('DELETE', {})
      .then((res) => res.body.dump())
      .catch(() => undefined);
  }
}

/**
 * The same exchanges on one connection from upstream.openStream() (a Teleport stdio or SSE app), which is the whole
 * MCP session: closing it ends the session.
 */
class StreamProbe implements ProbeConversation {
  private nextId = 1;

  private constructor(
    private readonly conn: StreamConnection,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => conn.close(), { once: true });
  }

  static async open(upstream: Upstream, signal: AbortSignal): Promise<StreamProbe> {
    const stream = await upstream.openStream();
    const ignore = () => undefined;
    return new StreamProbe(new StreamConnection(stream, DEFAULT_MAX_MESSAGE_SIZE, { message: ignore, badLine: ignore, closed: ignore }), signal);
  }

  async request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const outcome = await this.conn.call(id, JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    if (outcome.kind === 'answer') return resultOf(outcome.reply.message as JsonRpcReply, method);
    if (this.signal.aborted) throw new BridgeError('UPSTREAM_STATUS', `${method} was not answered in time.`);
    if (outcome.end.bytesReceived === 0) throw new BridgeError('STREAM_REFUSED', `${method}: the connection closed before the server sent anything.`);
    throw new BridgeError('UPSTREAM_STATUS', `${method}: the connection ended before the answer (the server exited or closed the session).`);
  }

  async notify(method: string): Promise<void> {
    if (!this.conn.send(JSON.stringify({ jsonrpc: '2.0', method }))) throw new BridgeError('UPSTREAM_STATUS', `${method}: the connection had ended.`);
  }

  useProtocol(): void {
    // a stream carries no protocol header
  }

  async end(): Promise<void> {
    this.conn.close();
    await this.conn.finished;
  }
}

/** initialize + tools/list through `upstream`, which must be ready. Bounded by `timeoutMs` in total. */
export async function probeMcp(upstream: Upstream, timeoutMs: number): Promise<McpProbeResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  const session: ProbeConversation = upstream.transport() === 'stream' ? await StreamProbe.open(upstream, signal) : new ProbeSession(upstream, signal);
  try {
    const started = performance.now();
    const init = await session.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'mcp-bridge-doctor', version: pkg.version },
    });
    const initializeMs = Math.round(performance.now() - started);
    const serverInfo = (init.serverInfo ?? {}) as { name?: unknown; version?: unknown };
    const protocolVersion = typeof init.protocolVersion === 'string' ? init.protocolVersion : PROTOCOL_VERSION;
    session.useProtocol(protocolVersion);
    await session.notify('notifications/initialized');
    let toolCount = 0;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await session.request('tools/list', cursor ? { cursor } : {});
      // Teleport re-serialises tools/list after RBAC filtering: nothing allowed may arrive as null.
      toolCount += Array.isArray(result.tools) ? result.tools.length : 0;
      cursor = typeof result.nextCursor === 'string' && result.nextCursor ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    return { serverName: String(serverInfo.name ?? '?'), serverVersion: String(serverInfo.version ?? '?'), protocolVersion, toolCount, initializeMs };
  } finally {
    await session.end();
  }
}
