import { BridgeError, type ErrorTag } from '../../errors/catalogue';
import { describeSseLineLimit, pingProxy, type ProxyPing } from '../../teleport';
import { pass, warn, type Check } from '../check';

/** mcp+http apps exist from Teleport v18.3.0 on. */
const MIN_MCP_HTTP_VERSION = [18, 3];

function olderThanMinimum(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match) return false; // unparsable: say nothing rather than guess
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < MIN_MCP_HTTP_VERSION[0]! || (major === MIN_MCP_HTTP_VERSION[0] && minor < MIN_MCP_HTTP_VERSION[1]!);
}

/** Findings that do not stop the ping from working but will stop a later step, with the tag whose fix applies. */
function concernsOf(ping: ProxyPing, identityCluster: string | undefined): { tag: ErrorTag; text: string }[] {
  const concerns: { tag: ErrorTag; text: string }[] = [];
  if (!ping.tlsRoutingEnabled) concerns.push({ tag: 'AUTH_UNREACHABLE', text: 'TLS routing is off, which mcp-bridge needs to reach the Auth Service' });
  if (olderThanMinimum(ping.serverVersion)) concerns.push({ tag: 'PROXY_ERROR', text: `Teleport ${ping.serverVersion} predates mcp+http apps (v18.3.0)` });
  if (identityCluster && identityCluster !== ping.clusterName) {
    concerns.push({ tag: 'ACCESS_DENIED', text: `the identity is for cluster "${identityCluster}", not "${ping.clusterName}"` });
  }
  return concerns;
}

/** GET /webapi/ping: the proxy is reachable, its web certificate trusted, and it is a Teleport cluster we can use. */
export const proxyCheck: Check = {
  id: 'proxy',
  title: 'Proxy ping',
  needs: [],
  async run(ctx) {
    const { proxy, extraCAs, insecure, timeoutMs } = ctx.options;
    const ping = await pingProxy(proxy, { extraCAs, insecure }, timeoutMs);
    ctx.set('ping', ping);
    const summary =
      `${proxy.hostPort}: cluster "${ping.clusterName}", Teleport ${ping.serverVersion || 'version unknown'}, ` +
      `TLS routing ${ping.tlsRoutingEnabled ? 'on' : 'off'}, suite ${ping.signatureAlgorithmSuite}${insecure ? ' (certificate NOT verified: --insecure)' : ''}; ` +
      describeSseLineLimit(ping.serverVersion);
    const concerns = concernsOf(ping, ctx.has('credentials') ? ctx.get('credentials').identity.clusterName : undefined);
    if (!concerns.length) return pass(summary);
    return warn(new BridgeError(concerns[0]!.tag, `${summary}; but ${concerns.map((c) => c.text).join('; ')}.`));
  },
};
