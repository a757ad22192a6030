import { EraLink, type LinkChoice } from './era/era-link';
import { LegacyServerLink } from './era/legacy-server-link';
import type { Link, LinkContext, LinkSettings } from './link';
import { ModernLink } from './modern/modern-link';
import { SessionLink } from './session/session-link';
import { StreamLink } from './stream/stream-link';
import { LegacyClientLink } from './translate/legacy-client-link';

/**
 * The one place that decides which link serves the stdio client. EraLink (src/mcp/era/) finds the facts on the first
 * request — the upstream's transport, and over Streamable HTTP the eras of both sides — and this table picks:
 *
 * - a stream app (Teleport's stdio and SSE apps): StreamLink, one byte stream per MCP session, whatever the era;
 * - Streamable HTTP:
 *
 * | client \\ server | 2025 (legacy)                     | 2026-07-28 (modern)                          |
 * |-----------------|-----------------------------------|----------------------------------------------|
 * | 2025            | SessionLink: the 2025 session     | LegacyClientLink: translated both ways       |
 * | 2026-07-28      | LegacyServerLink: answered -32601 | ModernLink: relayed as the spec has it       |
 */
export function openLink(context: LinkContext, settings: LinkSettings): Link {
  return new EraLink(context, settings, (choice: LinkChoice) => {
    if ('stream' in choice) return new StreamLink(context, settings);
    if (choice.client === 'legacy') {
      return choice.upstream === 'legacy' ? new SessionLink(context, settings) : new LegacyClientLink(context, settings, choice);
    }
    return choice.upstream === 'modern' ? new ModernLink(context, settings) : new LegacyServerLink(context);
  });
}
