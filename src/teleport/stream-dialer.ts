import type { Duplex } from 'node:stream';
import { BridgeError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import { classifyTlsFailure, failureCode } from '../tls/failure';
import { dialTls } from './dialer';
import { DEFAULT_CONNECT_TIMEOUT_MS, webDialError, type WebTrust } from './ping';
import { PingFramedStream } from './ping-framing';
import type { ProxyAddress } from './proxy-address';
import type { ConnectionUpgradeOptions } from './websocket-upgrade';

/** ALPN of stdio and SSE MCP apps (and the demo server), the ping variant first as tsh offers them. */
const MCP_PING_ALPN = 'teleport-mcp-ping';
const MCP_ALPN = 'teleport-mcp';

export interface McpStreamDial {
  proxy: ProxyAddress;
  /** The app certificate (routes to the app's session) and its key, PEM. */
  cert: { certPem: string; keyPem: string };
  /** Trust for the proxy's web certificate (direct dials). */
  trust: WebTrust;
  /** Behind an L7 load balancer: the connection upgrade (`alpn`), inside which the proxy presents its Host CA certificate. */
  upgrade?: ConnectionUpgradeOptions;
  /** The identity's Host CA certificates, trusted inside the upgrade. */
  hostCAPems: string[];
  logger: Logger;
}

function dialError(dial: McpStreamDial, err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  switch (classifyTlsFailure(err)) {
    case 'client-cert-expired':
    case 'client-cert-rejected':
      return new BridgeError('CLIENT_CERT_REJECTED', `The Teleport Proxy ${dial.proxy.hostPort} refused the app certificate (${failureCode(err)}).`, { cause: err });
    case 'no-alpn':
      return new BridgeError('PROXY_ERROR', `The Teleport Proxy ${dial.proxy.hostPort} does not speak ALPN ${MCP_ALPN} (${failureCode(err)}): stdio and SSE apps need TLS routing.`, { cause: err });
    default:
      return webDialError(dial.proxy, err);
  }
}

/**
 * One MCP session's connection to a stdio or SSE app (teleport-wire.md §4–§6, Teleport's MCPServerDialer): TLS to
 * the proxy with the app certificate, SNI = proxy host, ALPN `teleport-mcp-ping` then `teleport-mcp`, through
 * HTTPS_PROXY and the connection upgrade like app traffic. Resolves with the byte stream of newline-delimited
 * JSON-RPC inside, unframed when the ping variant was negotiated; rejects with a BridgeError.
 */
export async function dialMcpStream(dial: McpStreamDial): Promise<Duplex> {
  const { proxy, upgrade } = dial;
  let socket;
  try {
    socket = await dialTls({
      target: proxy,
      servername: proxy.servername,
      alpn: [MCP_PING_ALPN, MCP_ALPN],
      cert: dial.cert.certPem,
      key: dial.cert.keyPem,
      // Inside the upgrade the proxy terminates with its Host CA certificate, which the identity's CAs verify.
      ...(upgrade ? { ca: dial.hostCAPems, replaceRoots: true, rejectUnauthorized: true } : { ca: dial.trust.extraCAs, rejectUnauthorized: !dial.trust.insecure }),
      timeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      upgrade,
    });
  } catch (err) {
    throw dialError(dial, err);
  }
  const protocol = socket.alpnProtocol;
  dial.logger.debug('MCP stream connected', { alpn: protocol || 'none', upgraded: upgrade !== undefined });
  if (protocol === MCP_PING_ALPN) return new PingFramedStream(socket);
  if (protocol === MCP_ALPN) return socket;
  socket.destroy();
  throw new BridgeError('PROXY_ERROR', `The Teleport Proxy ${proxy.hostPort} negotiated ALPN ${JSON.stringify(protocol || 'none')} instead of ${MCP_ALPN}: it cannot reach stdio or SSE apps (Teleport older than 18, or TLS routing is off).`);
}
