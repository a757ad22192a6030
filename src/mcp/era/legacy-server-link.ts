import { BridgeError } from '../../errors/catalogue';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, Reply } from '../link';
import { failedReply } from '../modern/replies';

/**
 * A 2026-07-28 client in front of a 2025-only server: there is nothing to relay (the spec's matrix says this pair
 * fails), so every request is answered at once, without touching the upstream — above all the era probe
 * `server/discover`, whose prompt -32601 lets an SDK v2 `auto` client fall back to `initialize` (on its next, real
 * process) instead of waiting for a timeout.
 */
export class LegacyServerLink implements Link {
  constructor(private readonly context: LinkContext) {}

  async request({ id, method }: ClientRequest): Promise<Reply> {
    const host = this.context.upstream.url.host;
    return failedReply(id, new BridgeError('LEGACY_SERVER', `${host} speaks only MCP 2025 (initialize, sessions): ${method} is a 2026-07-28 request it cannot serve.`));
  }

  async notify({ method }: ClientNotification): Promise<void> {
    this.context.logger.debug('dropping a 2026-07-28 notification for a 2025-only server', { method });
  }

  async respond({ id }: ClientResponse): Promise<void> {
    this.context.logger.debug('dropping a response from the client: no request was sent to it', { id });
  }

  async close(): Promise<void> {}
}
