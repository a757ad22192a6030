import type { Link, LinkContext, LinkSettings } from './link';
import { SessionLink } from './session/session-link';

/**
 * The one place that decides which link serves the stdio client. Today every upstream is a Streamable HTTP server
 * spoken to as a 2025-era session.
 */
export function openLink(context: LinkContext, settings: LinkSettings): Link {
  return new SessionLink(context, settings);
}
