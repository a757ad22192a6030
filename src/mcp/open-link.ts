import { toJsonRpcError } from '../errors/catalogue';
import { errorResponse } from './jsonrpc';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, LinkSettings, Reply } from './link';
import { SessionLink } from './session/session-link';
import { StreamLink } from './stream/stream-link';

/**
 * The one place that decides which link serves the stdio client, from the upstream's transport: a 2025-era
 * Streamable HTTP session, or a byte stream per session (Teleport's stdio and SSE apps). The upstream knows its
 * transport only once ready (the Teleport app lookup runs while the MCP client starts), so the choice is made on the
 * first message; an upstream that is not ready yet fails that message and the next one tries again.
 */
export function openLink(context: LinkContext, settings: LinkSettings): Link {
  return new LinkByTransport(context, settings);
}

class LinkByTransport implements Link {
  private chosen?: Link;

  constructor(
    private readonly context: LinkContext,
    private readonly settings: LinkSettings,
  ) {}

  private async link(): Promise<Link> {
    if (this.chosen) return this.chosen;
    await this.context.upstream.ready();
    this.chosen ??= this.context.upstream.transport() === 'stream' ? new StreamLink(this.context, this.settings) : new SessionLink(this.context, this.settings);
    return this.chosen;
  }

  async request(request: ClientRequest): Promise<Reply> {
    let link: Link;
    try {
      link = await this.link();
    } catch (err) {
      return { message: errorResponse(request.id, toJsonRpcError(err)) };
    }
    return link.request(request);
  }

  async notify(notification: ClientNotification): Promise<void> {
    const link = await this.link().catch((err: Error) => this.context.logger.warn(`could not deliver ${notification.method} upstream`, { error: err.message }));
    if (link) await link.notify(notification);
  }

  async respond(response: ClientResponse): Promise<void> {
    const link = await this.link().catch((err: Error) => this.context.logger.warn('could not deliver a response to a server request upstream', { error: err.message }));
    if (link) await link.respond(response);
  }

  async close(): Promise<void> {
    await this.chosen?.close();
  }
}
