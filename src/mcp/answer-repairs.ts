import type { Reply } from './link';

/**
 * What the relay mends in answers, whatever link carried them, so that clients accept them: a tools/list result with
 * `"tools": null` (Teleport's App Service marshals an empty Go slice so when RBAC filters out every tool; SDK clients
 * reject it) becomes `"tools": []`. Anything else passes untouched, its original text included.
 */
export function repairReply(method: string, reply: Reply): Reply {
  if (method !== 'tools/list') return reply;
  const result = (reply.message as { result?: unknown }).result;
  if (typeof result !== 'object' || result === null || (result as { tools?: unknown }).tools !== null) return reply;
  return { message: { ...reply.message, result: { ...result, tools: [] } } };
}
