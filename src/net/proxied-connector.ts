import type { buildConnector } from 'undici';
import { proxyFor, type ProxyUse } from './proxy-env';
import { openProxyTunnel } from './proxy-tunnel';

/** Bound on reaching the proxy and its answer (undici's own timeout covers the TLS that follows). */
const TUNNEL_TIMEOUT_MS = 15_000;

/**
 * An undici connector that honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY (read per connection): through a proxy it opens
 * a tunnel and runs `base` (the TLS connector) inside it; otherwise `base` dials itself. `use` is 'dial' for
 * Teleport app traffic (tsh dials the proxy as host:port); by default the URL's scheme decides, as for any HTTP client.
 */
export function proxiedConnector(base: buildConnector.connector, use?: ProxyUse): buildConnector.connector {
  return (options, callback) => {
    const tls = options.protocol === 'https:';
    const target = { host: options.hostname.replace(/^\[|\]$/g, ''), port: Number(options.port) || (tls ? 443 : 80) };
    let proxy: URL | undefined;
    try {
      proxy = proxyFor(target, { use: use ?? (tls ? 'https' : 'http') });
    } catch (err) {
      return callback(err as Error, null);
    }
    if (!proxy) return base(options, callback);
    openProxyTunnel(proxy, target, TUNNEL_TIMEOUT_MS).then(
      (socket) => (tls ? base({ ...options, httpSocket: socket }, callback) : callback(null, socket)),
      (err: Error) => callback(err, null),
    );
  };
}
