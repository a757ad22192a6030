import { toJsonRpcError } from '../errors/catalogue';
import { errorResponse } from './jsonrpc';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, LinkSettings, Reply } from './link';
import { EraLink, type LinkChoice } from './era/era-link';
import { LegacyServerLink } from './era/legacy-server-link';
import { ModernLink } from './modern/modern-link';
import { SessionLink } from './session/session-link';
import { LegacyClientLink } from './translate/legacy-client-link';
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
  private choosing?: Promise<Link>;

  constructor(
    private readonly context: LinkContext,
    private readonly settings: LinkSettings,
  ) {}

  /** Shared by the messages that arrive before the choice: their callbacks run in arrival order, keeping it upstream. */
  private choose(): Promise<Link> {
    this.choosing ??= this.context.upstream.ready().then(
      () => {
        const stream = this.context.upstream.transport() === 'stream';
        this.chosen = stream ? new StreamLink(this.context, this.settings) : httpLink(this.context, this.settings);
        return this.chosen;
      },
      (err: unknown) => {
        this.choosing = undefined; // not ready yet: the next message asks again
        throw err;
      },
    );
    return this.choosing;
  }

  // Once chosen, each call goes straight to the link, adding no turn of the event loop that could reorder messages.
  request(request: ClientRequest): Promise<Reply> {
    if (this.chosen) return this.chosen.request(request);
    return this.choose().then(
      (link) => link.request(request),
      (err: unknown) => ({ message: errorResponse(request.id, toJsonRpcError(err)) }),
    );
  }

  notify(notification: ClientNotification): Promise<void> {
    if (this.chosen) return this.chosen.notify(notification);
    return this.choose().then(
      (link) => link.notify(notification),
      (err: Error) => this.context.logger.warn(`could not deliver ${notification.method} upstream`, { error: err.message }),
    );
  }

  respond(response: ClientResponse): Promise<void> {
    if (this.chosen) return this.chosen.respond(response);
    return this.choose().then(
      (link) => link.respond(response),
      (err: Error) => this.context.logger.warn('could not deliver a response to a server request upstream', { error: err.message }),
    );
  }

  async close(): Promise<void> {
    await this.chosen?.close();
  }
}

/**
 * A Streamable HTTP upstream: the eras of both sides (found by EraLink, from the client's first request and the
 * upstream's era) pick the link.
 *
 * | client \\ server | 2025 (legacy)                     | 2026-07-28 (modern)                          |
 * |-----------------|-----------------------------------|----------------------------------------------|
 * | 2025            | SessionLink: the 2025 session     | LegacyClientLink: translated both ways       |
 * | 2026-07-28      | LegacyServerLink: answered -32601 | ModernLink: relayed as the spec has it       |
 */
function httpLink(context: LinkContext, settings: LinkSettings): Link {
  return new EraLink(context, settings, (choice: LinkChoice) => {
    if (choice.client === 'legacy') {
      return choice.upstream === 'legacy' ? new SessionLink(context, settings) : new LegacyClientLink(context, settings, choice);
    }
    return choice.upstream === 'modern' ? new ModernLink(context, settings) : new LegacyServerLink(context);
  });
}
