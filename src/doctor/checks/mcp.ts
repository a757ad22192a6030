import { createTeleportUpstream, DEFAULT_CONNECT_TIMEOUT_MS } from '../../teleport';
import { pass, type Check } from '../check';
import { probeMcp } from '../mcp-probe';

/**
 * initialize and tools/list over the path connect relays through (createTeleportUpstream: ping, lookup, app
 * certificate, mutual TLS to the proxy, App Service), so a pass here means connect works.
 */
export const mcpCheck: Check = {
  id: 'mcp',
  title: 'MCP round trip',
  needs: ['app-cert'],
  async run(ctx) {
    const { proxy, app, extraCAs, insecure, headers, logger, timeoutMs } = ctx.options;
    const upstream = createTeleportUpstream({ proxy: proxy.hostPort, app: app!, identity: ctx.get('watcher'), extraCAs, insecure, headers, logger });
    try {
      await upstream.ready();
      const probe = await probeMcp(upstream, timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
      const tools = `${probe.toolCount} tool${probe.toolCount === 1 ? '' : 's'}`;
      return pass(`server "${probe.serverName}" ${probe.serverVersion} (protocol ${probe.protocolVersion}), ${tools}, initialize took ${probe.initializeMs} ms`);
    } finally {
      await upstream.close();
    }
  },
};
