import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { connectTunnel } from './http-connect';
import { DEFAULT_PROXY_PORTS, type ProxyTarget } from './proxy-env';
import { openSocks5 } from './socks5';

/**
 * A byte stream to `target` through the proxy `proxy` (from proxyFor): SOCKS5, or HTTP CONNECT over TCP (http://) or
 * over TLS to the proxy (https://, its certificate verified against the system roots and NODE_EXTRA_CA_CERTS, as tsh
 * verifies it against the system's). The caller runs its own TLS to the target inside. `timeoutMs` bounds reaching
 * the proxy and its answer.
 */
export function openProxyTunnel(proxy: URL, target: ProxyTarget, timeoutMs: number): Promise<Socket> {
  if (proxy.protocol === 'socks5:') return openSocks5(proxy, target, timeoutMs);
  const host = proxy.hostname.replace(/^\[|\]$/g, '');
  const port = Number(proxy.port) || DEFAULT_PROXY_PORTS[proxy.protocol]!;
  const transport =
    proxy.protocol === 'https:' ? connectTls({ host, port, servername: isIP(host) ? undefined : host }) : connectTcp({ host, port });
  return connectTunnel(transport, proxy, target, timeoutMs);
}
