import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What the server saw of one HTTP request. */
export interface SeenRequest {
  httpMethod: string;
  headers: IncomingHttpHeaders;
  sessionId?: string;
  lastEventId?: string;
  /** The JSON-RPC message a POST carried. */
  message?: any;
}

/** One server-sent event; `data` is JSON-encoded unless it is a string already. */
export interface ServerEvent {
  id?: string;
  retry?: number;
  data?: unknown;
}

/** An open text/event-stream response: events are written with the server's own backpressure honoured. */
export class SseResponse {
  constructor(readonly res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
  }

  /** Resolves once the event reached the socket: a client that stops reading stops the sender here. */
  send(event: ServerEvent): Promise<void> {
    let text = '';
    if (event.id !== undefined) text += `id: ${event.id}\n`;
    if (event.retry !== undefined) text += `retry: ${event.retry}\n`;
    if (event.data !== undefined) text += `data: ${typeof event.data === 'string' ? event.data : JSON.stringify(event.data)}\n`;
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('close', done);
        resolve();
      };
      this.res.once('close', done);
      this.res.write(text + '\n', done);
    });
  }

  end(): void {
    this.res.end();
  }

  /** Cuts the connection mid-stream, as a crashing server or a dropped network does. */
  cut(): void {
    this.res.socket?.destroy();
  }
}

/** How a scripted handler answers one JSON-RPC request (or replays part of a stream on GET). */
export type RpcHandler = (message: any, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;
export type GetHandler = (res: ServerResponse, seen: SeenRequest) => void | Promise<void>;

export function json(res: ServerResponse, message: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(message));
}

export function result(id: unknown, value: unknown): unknown {
  return { jsonrpc: '2.0', id, result: value };
}

/**
 * A small real Streamable HTTP MCP server whose behaviour each test scripts: sessions it can forget (a restart),
 * a configurable answer for an unknown session (404, or the SDK's 400 "no valid session"), serverInfo it can change,
 * per-method handlers, a scripted GET stream, and a record of every request.
 */
export class ScriptedServer {
  readonly requests: SeenRequest[] = [];
  readonly sessions = new Set<string>();
  serverInfo = { name: 'scripted', version: '1.0.0' };
  /**
   * A 2026-07-28 server: no sessions (nothing is checked), GET and DELETE answered 405, and server/discover answered
   * with `discover` unless a handler is scripted for it.
   */
  stateless = false;
  discover: Record<string, unknown> = { supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, ttlMs: 0, cacheScope: 'private' };
  /** How a request for an unknown session is answered. */
  sessionGone: { status: number; body: string } = { status: 404, body: 'session not found' };
  /** Answers refused before the session check, e.g. a proxy's 403; return true when the request was answered. */
  gate: (seen: SeenRequest, res: ServerResponse) => boolean = () => false;
  onGet: GetHandler = (res) => {
    res.writeHead(405).end();
  };
  onDelete: (res: ServerResponse) => void = (res) => res.writeHead(200).end();
  private readonly handlers = new Map<string, RpcHandler>();
  private readonly openGets = new Set<ServerResponse>();
  private readonly waiters: Array<() => void> = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  /** Listens on a free port, or on `port` (a restart on the address a client already uses). */
  static async start(port = 0): Promise<ScriptedServer> {
    const server = new ScriptedServer();
    await new Promise<void>((resolve) => server.server.listen(port, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}/mcp`;
  }

  /** Scripts the answer to one JSON-RPC method (initialize, ping and notifications have defaults). */
  handle(method: string, handler: RpcHandler): void {
    this.handlers.set(method, handler);
  }

  /** POSTed JSON-RPC messages with this method. */
  posted(method: string): SeenRequest[] {
    return this.requests.filter((r) => r.message?.method === method);
  }

  /** Resolves once `predicate` holds for the requests seen so far. */
  async until(predicate: (requests: SeenRequest[]) => boolean): Promise<SeenRequest[]> {
    while (!predicate(this.requests)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.requests;
  }

  /** Forgets every session and (unless told not to) drops open GET streams, as a restarted server does. */
  forgetSessions(dropStreams = true): void {
    this.sessions.clear();
    if (dropStreams) for (const res of this.openGets) res.socket?.destroy();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const seen: SeenRequest = {
      httpMethod: req.method!,
      headers: req.headers,
      sessionId: header('mcp-session-id'),
      lastEventId: header('last-event-id'),
      message: body ? JSON.parse(body) : undefined,
    };
    this.requests.push(seen);
    this.waiters.splice(0).forEach((wake) => wake());
    if (this.gate(seen, res)) return;
    if (this.stateless) return this.serveStateless(seen, req, res);
    const isInitialize = seen.message?.method === 'initialize';
    if (!isInitialize && !(seen.sessionId && this.sessions.has(seen.sessionId))) {
      res.writeHead(this.sessionGone.status, { 'content-type': 'text/plain' }).end(this.sessionGone.body);
      return;
    }
    if (req.method === 'GET') {
      this.openGets.add(res);
      res.once('close', () => this.openGets.delete(res));
      return this.onGet(res, seen);
    }
    if (req.method === 'DELETE') return this.onDelete(res);
    const message = seen.message;
    const handler = this.handlers.get(message.method);
    if (handler) return handler(message, res, req);
    if (isInitialize) return this.initialize(message, res);
    if (message.method === 'ping') return json(res, result(message.id, {}));
    res.writeHead(202).end(); // notifications and responses
  }

  private serveStateless(seen: SeenRequest, req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const message = seen.message;
    const handler = this.handlers.get(message.method);
    if (handler) return handler(message, res, req);
    if (message.method === 'server/discover') {
      const meta = { 'io.modelcontextprotocol/serverInfo': this.serverInfo };
      return json(res, result(message.id, { resultType: 'complete', ...this.discover, _meta: meta }));
    }
    if (message.id === undefined) return void res.writeHead(202).end();
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } }));
  }

  private initialize(message: any, res: ServerResponse): void {
    const sessionId = randomUUID();
    this.sessions.add(sessionId);
    const answer = { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: this.serverInfo };
    json(res, result(message.id, answer), { 'mcp-session-id': sessionId });
  }
}
