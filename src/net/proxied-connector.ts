import type { buildConnector } from 'undici';
import { openConnectTunnel } from './http-connect';
import { proxyFor } from './proxy-env';

/** Bound on reaching the HTTP proxy and its CONNECT answer (undici's own timeout covers the TLS that follows). */
const TUNNEL_TIMEOUT_MS = 15_000;

/**
 * An undici connector that honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY (read per connection): through a proxy it
 * opens a CONNECT tunnel and runs `base` (the TLS connector) inside it; otherwise `base` dials itself.
 */
export function proxiedConnector(base: buildConnector.connector): buildConnector.connector {
  return (options, callback) => {
    const tls = options.protocol === 'https:';
    const target = { host: options.hostname.replace(/^\[|\]$/g, ''), port: Number(options.port) || (tls ? 443 : 80) };
    let proxy: URL | undefined;
    try {
      proxy = proxyFor(target, { tls });
    } catch (err) {
      return callback(err as Error, null);
    }
    if (!proxy) return base(options, callback);
    openConnectTunnel(proxy, target, TUNNEL_TIMEOUT_MS).then(
      (socket) => (tls ? base({ ...options, httpSocket: socket }, callback) : callback(null, socket)),
      (err: Error) => callback(err, null),
    );
  };
}
