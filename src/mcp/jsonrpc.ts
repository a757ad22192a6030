import { envelopeOf, factsOf } from './message/envelope-scanner';

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

/** A parsed message classified by the JSON-RPC 2.0 rules (the envelope scanner's rules: one set for bytes and values). */
export function classify(value: unknown): Classified {
  const envelope = envelopeOf(factsOf(value));
  const message = value as JsonRpcMessage;
  switch (envelope.kind) {
    case 'request':
    case 'notification':
      return { ...envelope, message };
    case 'response':
    case 'error':
      return { kind: 'response', id: envelope.id, message };
    case 'invalid':
      return envelope;
  }
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
