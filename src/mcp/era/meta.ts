import type { JsonRpcMessage } from '../jsonrpc';

/** The request and result `_meta` keys of the 2026-07-28 revision (schema RequestMetaObject and kin). */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

export type Json = Record<string, unknown>;

export function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message's `params`, when it is an object. */
export function paramsOf(message: JsonRpcMessage): Json | undefined {
  return isJsonObject(message.params) ? message.params : undefined;
}

/** A request's `params._meta`, when it is an object. */
export function requestMetaOf(message: JsonRpcMessage): Json | undefined {
  const meta = paramsOf(message)?._meta;
  return isJsonObject(meta) ? meta : undefined;
}

/** The protocol version a modern request declares in its `_meta`. */
export function declaredVersionOf(message: JsonRpcMessage): string | undefined {
  const version = requestMetaOf(message)?.[META.protocolVersion];
  return typeof version === 'string' ? version : undefined;
}
