/** JSON-RPC 2.0 message shapes as the relay sees them: it forwards messages, it does not interpret methods. */
export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: unknown;
}

export type JsonRpcMessage = Record<string, unknown>;

export type Classified =
  | { kind: 'request'; id: JsonRpcId; method: string; message: JsonRpcMessage }
  | { kind: 'notification'; method: string; message: JsonRpcMessage }
  | { kind: 'response'; id: JsonRpcId; message: JsonRpcMessage }
  /** Valid JSON that is not JSON-RPC 2.0; `id` is set when one could be read, so the error can name it. */
  | { kind: 'invalid'; id: JsonRpcId | null; reason: string };

const isId = (v: unknown): v is JsonRpcId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

export function classify(value: unknown): Classified {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', id: null, reason: 'not a JSON object' };
  }
  const message = value as JsonRpcMessage;
  const id = isId(message.id) ? message.id : null;
  if (message.jsonrpc !== '2.0') return { kind: 'invalid', id, reason: 'jsonrpc must be "2.0"' };
  const hasId = 'id' in message;
  if (typeof message.method === 'string') {
    if (!hasId) return { kind: 'notification', method: message.method, message };
    if (id === null) return { kind: 'invalid', id: null, reason: 'request id must be a string or number' };
    return { kind: 'request', id, method: message.method, message };
  }
  if ('method' in message) return { kind: 'invalid', id, reason: 'method must be a string' };
  if (('result' in message) !== ('error' in message) && id !== null) return { kind: 'response', id, message };
  return { kind: 'invalid', id, reason: 'neither a request, a notification nor a response' };
}

export function isResponseTo(message: JsonRpcMessage, id: JsonRpcId): boolean {
  return message.id === id && typeof message.method !== 'string' && ('result' in message || 'error' in message);
}

export function errorResponse(id: JsonRpcId | null, error: { code: number; message: string; data?: unknown }): JsonRpcMessage {
  return { jsonrpc: '2.0', id, error };
}

/** A key that tells ids apart by type too (1 and "1" are different ids). */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}
