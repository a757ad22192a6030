import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface RecordedRequest {
  method: string;
  sessionId?: string;
  /** The 2026-07-28 `Mcp-Method` header (the bridge's era probe carries one; 2025 requests do not). */
  mcpMethod?: string;
  /** Subject CN of the client certificate, when TLS asked for one. */
  clientCN?: string;
}

/**
 * A small real reverse proxy in front of an HTTP MCP server: records each request (method, session id, client
 * certificate) and streams bodies both ways. With `tls` it serves HTTPS and can require client certificates.
 */
export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly waiters: Array<() => void> = [];

  private constructor(
    private readonly target: URL,
    tls?: ServerOptions,
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.forward(req, res);
    this.server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  }

  static async start(target: string, tls?: ServerOptions): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(new URL(target), tls);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  url(scheme: 'http' | 'https' = 'http'): string {
    const { port } = this.server.address() as { port: number };
    return `${scheme}://127.0.0.1:${port}${this.target.pathname}`;
  }

  /** Resolves once a request with this method has been recorded. */
  async waitFor(method: string): Promise<RecordedRequest> {
    for (;;) {
      const found = this.requests.find((r) => r.method === method);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const peer = (req.socket as TLSSocket).getPeerCertificate?.();
    const sessionId = req.headers['mcp-session-id'];
    const mcpMethod = req.headers['mcp-method'];
    this.requests.push({
      method: req.method!,
      sessionId: typeof sessionId === 'string' ? sessionId : undefined,
      mcpMethod: typeof mcpMethod === 'string' ? mcpMethod : undefined,
      clientCN: peer?.subject?.CN as string | undefined,
    });
    this.waiters.splice(0).forEach((wake) => wake());
    const upstream = httpRequest(
      { host: this.target.hostname, port: this.target.port, path: req.url, method: req.method, headers: { ...req.headers, host: this.target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        // The server died mid-answer: cut the client's connection too, as a real proxy does.
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
