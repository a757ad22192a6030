import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonRpcRequest {
  id: number;
  method: string;
  params?: unknown;
}

/** A minimal MCP endpoint behind the test cluster's app service; `uri` is the app's URI. */
export interface JsonRpcEndpoint {
  readonly uri: string;
  close(): Promise<void>;
}

/**
 * Hands each JSON-RPC request to `answer`, which calls `reply` with the result when it chooses (at once, or later to
 * hold a call in flight). Plain HTTP on 127.0.0.1: the app service in front of it is what the tests exercise.
 */
export async function startJsonRpcEndpoint(answer: (request: JsonRpcRequest, reply: (result: unknown) => void) => void): Promise<JsonRpcEndpoint> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      const request = JSON.parse(body) as JsonRpcRequest;
      answer(request, (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: request.id, result })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `mcp+http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
