import type { Logger } from '../log/logger';
import type { Upstream } from '../upstream/types';
import type { JsonRpcMessage } from './jsonrpc';

/** Client capabilities that invite server→client requests, which Teleport's App Service cannot carry today. */
export const SERVER_REQUEST_CAPABILITIES = ['sampling', 'elicitation', 'roots'] as const;

/** A copy of an initialize request without the capabilities above, and which of them were removed. */
function withoutServerRequestCapabilities(message: JsonRpcMessage): { message: JsonRpcMessage; removed: string[] } {
  const params = message.params as { capabilities?: Record<string, unknown> } | undefined;
  const capabilities = params?.capabilities;
  if (!capabilities || typeof capabilities !== 'object') return { message, removed: [] };
  const removed = SERVER_REQUEST_CAPABILITIES.filter((name) => name in capabilities);
  if (removed.length === 0) return { message, removed };
  const kept = Object.fromEntries(Object.entries(capabilities).filter(([name]) => !removed.includes(name as never)));
  return { message: { ...message, params: { ...params, capabilities: kept } }, removed };
}

/**
 * The client's initialize as every link sends it upstream: without sampling/elicitation/roots when the upstream
 * cannot carry server→client requests, unless the user keeps them (--keep-client-capabilities); said once in the log.
 */
export class InitializeFilter {
  private logged = false;

  constructor(
    private readonly upstream: Upstream,
    private readonly keep: boolean,
    private readonly logger: Logger,
  ) {}

  apply(message: JsonRpcMessage): JsonRpcMessage {
    if (this.upstream.carriesServerRequests || this.keep) return message;
    const stripped = withoutServerRequestCapabilities(message);
    if (stripped.removed.length && !this.logged) {
      this.logged = true;
      this.logger.info('hiding client capabilities the upstream cannot carry (use --keep-client-capabilities to keep them)', {
        removed: stripped.removed.join(','),
      });
    }
    return stripped.message;
  }
}
