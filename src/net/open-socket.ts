import { connect as connectTcp, type Socket } from 'node:net';
import { proxyFor, type ProxyTarget, type ProxyUse } from './proxy-env';
import { openProxyTunnel } from './proxy-tunnel';

/**
 * The byte stream to `target`: a tunnel through the environment's proxy when one applies (`use` says which variables
 * do), else a direct TCP connection (returned before it is established; its errors arrive as 'error' events).
 */
export async function openSocket(target: ProxyTarget, options: { timeoutMs: number; use: ProxyUse }): Promise<Socket> {
  const proxy = proxyFor(target, { use: options.use });
  if (proxy) return openProxyTunnel(proxy, target, options.timeoutMs);
  return connectTcp({ host: target.host, port: target.port });
}
