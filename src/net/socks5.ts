import type { Socket } from 'node:net';
import { proxyCredentials, tunnelError } from './http-connect';
import { DEFAULT_PROXY_PORTS, type ProxyTarget } from './proxy-env';

/**
 * A connection to `target` through a SOCKS5 proxy (RFC 1928), with user name/password authentication (RFC 1929)
 * when the URL has credentials. Host names are sent to the proxy unresolved, as tsh's SOCKS5 dialer does.
 */
export async function openSocks5(proxy: URL, target: ProxyTarget, timeoutMs: number): Promise<Socket> {
  const credentials = proxyCredentials(proxy);
  // Loaded on first use: only SOCKS proxies need it (its address parsing costs every start a few ms otherwise).
  const { SocksClient } = await import('socks');
  try {
    const { socket } = await SocksClient.createConnection({
      command: 'connect',
      proxy: {
        host: proxy.hostname.replace(/^\[|\]$/g, ''),
        port: Number(proxy.port) || DEFAULT_PROXY_PORTS['socks5:']!,
        type: 5,
        userId: credentials?.username,
        password: credentials?.password,
      },
      destination: { host: target.host, port: target.port },
      timeout: timeoutMs,
    });
    return socket;
  } catch (err) {
    // The library's messages name the SOCKS failure (authentication, host unreachable, refused…), never the secret.
    const why = (err as Error).message.replace(/^Socks5 /, 'SOCKS5 ');
    throw tunnelError(proxy, target, why + (/auth/i.test(why) && !credentials ? ' (the proxy wants credentials: socks5://user:password@host:port)' : ''), err);
  }
}
