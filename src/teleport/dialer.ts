import type { Duplex } from 'node:stream';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { openSocket } from '../net/open-socket';
import type { ProxyUse } from '../net/proxy-env';
import { cachedSecureContext } from '../tls/secure-contexts';
import type { ConnectionUpgradeOptions } from './websocket-upgrade';

export interface DialTarget {
  host: string;
  port: number;
}

/** What one TLS dial to the Teleport Proxy presents and trusts. */
export interface TlsDialOptions {
  target: DialTarget;
  /** SNI; undefined sends none (IP literals). The server certificate is checked against this name, else the host. */
  servername: string | undefined;
  /** ALPN protocols in preference order (Teleport's router reads the first). */
  alpn: string[];
  /** Client certificate and key (PEM); absent for server-auth-only TLS (ping). */
  cert?: string;
  key?: string;
  /** Trusted CAs (PEM) added to the system roots, or replacing them with `replaceRoots` (the Host CA for auth). */
  ca?: string[];
  replaceRoots?: boolean;
  /** False only behind --insecure. */
  rejectUnauthorized: boolean;
  /** Bound on TCP connect plus handshake. */
  timeoutMs: number;
  /** 'https' for requests to an https:// URL (ping): HTTPS_PROXY only; by default a raw dial, as tsh's dials. */
  proxyUse?: ProxyUse;
  /** Behind an L7 load balancer: run this TLS inside the proxy's WebSocket connection upgrade. */
  upgrade?: ConnectionUpgradeOptions;
}

/** A dial failure; `code` lets tls-failure.ts classify it like any Node socket error. */
export class DialError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DialError';
  }
}

/**
 * Opens the byte stream under TLS: direct TCP or a tunnel through the environment's proxy (src/net/open-socket.ts),
 * and inside that, when asked, the WebSocket connection upgrade.
 */
async function openTransport(options: TlsDialOptions): Promise<Duplex> {
  if (options.upgrade) {
    // Loaded only behind an L7 load balancer: other paths never evaluate `ws` and the zlib and https modules it loads.
    const { openUpgradedStream } = await import('./websocket-upgrade');
    return openUpgradedStream(options.target, options.upgrade, options.timeoutMs);
  }
  return openSocket(options.target, { timeoutMs: options.timeoutMs, use: options.proxyUse ?? 'dial' });
}

/**
 * Dials TLS and resolves once the handshake (including server verification) is complete, so nothing is written to
 * a server that failed verification. The bound covers connect and handshake only, never later traffic.
 */
export async function dialTls(options: TlsDialOptions): Promise<TLSSocket> {
  const transport = await openTransport(options);
  return new Promise((resolve, reject) => {
    const socket = connectTls({
      socket: transport,
      host: options.target.host,
      servername: options.servername,
      ALPNProtocols: options.alpn,
      secureContext: cachedSecureContext(options),
      rejectUnauthorized: options.rejectUnauthorized,
    });
    const where = `${options.target.host}:${options.target.port}`;
    const timer = setTimeout(() => fail(new DialError(`TLS dial to ${where} timed out after ${options.timeoutMs} ms`, 'ETIMEDOUT')), options.timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('error', fail);
      transport.off('error', fail);
      socket.off('secureConnect', done);
    };
    function fail(err: Error) {
      cleanup();
      socket.on('error', () => undefined); // late errors from the torn-down pair are already reported
      socket.destroy();
      transport.destroy();
      reject(err);
    }
    function done() {
      cleanup();
      resolve(socket);
    }
    socket.once('secureConnect', done);
    socket.on('error', fail);
    transport.on('error', fail);
  });
}
