import { connect as connectTcp, type Socket } from 'node:net';
import { openConnectTunnel } from './http-connect';
import { proxyFor, type ProxyTarget } from './proxy-env';

/**
 * The byte stream to `target`: a CONNECT tunnel through the environment's HTTP proxy when one applies, else a
 * direct TCP connection (returned before it is established; its errors arrive as 'error' events).
 * `tls` says whether TLS runs inside (HTTPS_PROXY applies) or plain HTTP (HTTP_PROXY only).
 */
export async function openSocket(target: ProxyTarget, options: { timeoutMs: number; tls: boolean }): Promise<Socket> {
  const proxy = proxyFor(target, { tls: options.tls });
  if (proxy) return openConnectTunnel(proxy, target, options.timeoutMs);
  return connectTcp({ host: target.host, port: target.port });
}
