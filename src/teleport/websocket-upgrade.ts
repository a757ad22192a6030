import type { Duplex } from 'node:stream';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import WebSocket, { createWebSocketStream } from 'ws';
import { BridgeError } from '../errors/catalogue';
import { openSocket } from '../net/open-socket';
import { cachedSecureContext } from '../tls/secure-contexts';
import type { DialTarget } from './dialer';

/** `alpn-ping` for long-lived auth gRPC (the proxy pings every 30 s), `alpn` for app traffic. */
export type UpgradeProtocol = 'alpn' | 'alpn-ping';

/** How the outer (web) connection of an upgrade is made: the proxy's web certificate, no ALPN, no client cert. */
export interface ConnectionUpgradeOptions {
  protocol: UpgradeProtocol;
  /** SNI of the outer TLS (the proxy host; undefined for an IP literal). */
  servername: string | undefined;
  /** Extra CAs for the web certificate (added to the system roots). */
  ca: string[];
  /** False only behind --insecure. */
  rejectUnauthorized: boolean;
}

export const CONNECTION_UPGRADE_PATH = '/webapi/connectionupgrade';

/** Outer TLS over TCP (or the HTTPS_PROXY tunnel), resolved after the handshake verified the web certificate. */
async function outerTls(target: DialTarget, options: ConnectionUpgradeOptions, timeoutMs: number): Promise<TLSSocket> {
  const transport = await openSocket(target, { timeoutMs, use: 'dial' });
  return new Promise((resolve, reject) => {
    const socket = connectTls({
      socket: transport,
      host: target.host,
      servername: options.servername,
      secureContext: cachedSecureContext({ ca: options.ca }),
      rejectUnauthorized: options.rejectUnauthorized,
    });
    const fail = (err: Error) => {
      socket.destroy();
      transport.destroy();
      reject(err);
    };
    socket.once('secureConnect', () => {
      socket.off('error', fail);
      transport.off('error', fail);
      resolve(socket);
    });
    socket.once('error', fail);
    transport.once('error', fail);
  });
}

/**
 * Teleport's ALPN connection upgrade for proxies behind an L7 load balancer: `GET /webapi/connectionupgrade` as a
 * WebSocket (RFC 6455, via `ws`: random key, accept-key and subprotocol checks, masked client frames, pongs for the
 * proxy's pings) and resolves with a byte stream over its binary frames, in which the caller runs the inner TLS.
 * `timeoutMs` bounds the outer TLS and the upgrade handshake.
 */
export async function openUpgradedStream(target: DialTarget, options: ConnectionUpgradeOptions, timeoutMs: number): Promise<Duplex> {
  const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const deadline = Date.now() + timeoutMs;
  const socket = await outerTls(target, options, timeoutMs);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${where}${CONNECTION_UPGRADE_PATH}`, options.protocol, {
      createConnection: () => socket,
      handshakeTimeout: Math.max(1, deadline - Date.now()),
      perMessageDeflate: false, // Teleport's endpoint negotiates no extensions
    });
    const fail = (err: Error) => {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      socket.destroy();
      reject(err);
    };
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      fail(
        status === 404
          ? new BridgeError('CONN_UPGRADE_UNSUPPORTED', `GET https://${where}${CONNECTION_UPGRADE_PATH} answered 404: the Teleport Proxy is too old for the connection upgrade its L7 load balancer requires.`)
          : new BridgeError('PROXY_ERROR', `GET https://${where}${CONNECTION_UPGRADE_PATH} answered HTTP ${status} instead of switching to a WebSocket.`),
      );
    });
    ws.once('error', (err: Error) =>
      fail(new BridgeError('PROXY_ERROR', `The connection upgrade at https://${where}${CONNECTION_UPGRADE_PATH} failed: ${err.message}.`, { cause: err })),
    );
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.removeAllListeners('unexpected-response');
      resolve(createWebSocketStream(ws));
    });
  });
}
