import type { JsonRpcMessage } from './jsonrpc';

/** Client capabilities that invite server→client requests, which Teleport's App Service cannot carry today. */
export const SERVER_REQUEST_CAPABILITIES = ['sampling', 'elicitation', 'roots'] as const;

/** A copy of an initialize request without the capabilities above, and which of them were removed. */
export function withoutServerRequestCapabilities(message: JsonRpcMessage): { message: JsonRpcMessage; removed: string[] } {
  const params = message.params as { capabilities?: Record<string, unknown> } | undefined;
  const capabilities = params?.capabilities;
  if (!capabilities || typeof capabilities !== 'object') return { message, removed: [] };
  const removed = SERVER_REQUEST_CAPABILITIES.filter((name) => name in capabilities);
  if (removed.length === 0) return { message, removed };
  const kept = Object.fromEntries(Object.entries(capabilities).filter(([name]) => !removed.includes(name as never)));
  return { message: { ...message, params: { ...params, capabilities: kept } }, removed };
}
