import { request, type IncomingMessage } from 'node:http';
import { BridgeError } from '../errors/catalogue';
import { dialTls } from './dialer';
import type { ProxyAddress } from './proxy-address';
import { classifyTlsFailure, failureCode } from '../tls/failure';

/** What mcp-bridge needs from GET /webapi/ping (lib/web/apiserver.go's webclient.PingResponse). */
export interface ProxyPing {
  clusterName: string;
  serverVersion: string;
  minClientVersion?: string;
  tlsRoutingEnabled: boolean;
  /** proxy.ssh.public_addr: the web public address tsh prefers when set. */
  webPublicAddr?: string;
  /** auth.signature_algorithm_suite; absent on old clusters, which means legacy (RSA-2048). */
  signatureAlgorithmSuite: string;
}

/** How the proxy's web certificate is trusted: system roots plus --ca files, or nothing behind --insecure. */
export interface WebTrust {
  extraCAs: string[];
  insecure: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const MAX_PING_BODY = 1 << 20;

/** Maps a failed dial to the proxy's web port to the catalogue. */
export function webDialError(proxy: ProxyAddress, err: unknown): BridgeError {
  if (err instanceof BridgeError) return err; // already named (HTTP proxy, connection upgrade)
  const kind = classifyTlsFailure(err);
  if (kind === 'server-untrusted') {
    return new BridgeError(
      'TLS_VERIFY_FAILED',
      `The certificate of the Teleport Proxy ${proxy.hostPort} is not trusted (${failureCode(err)}); pass its CA with --ca FILE.`,
      { cause: err },
    );
  }
  return new BridgeError('PROXY_UNREACHABLE', `Could not connect to the Teleport Proxy ${proxy.hostPort} (${failureCode(err)}).`, { cause: err });
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PING_BODY) res.destroy(new Error('response larger than 1 MiB'));
      else chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** Teleport answers errors as {"error":{"message":"..."}}. */
function errorMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function parsePing(proxy: ProxyAddress, body: string): ProxyPing {
  let json: Record<string, any>;
  try {
    json = JSON.parse(body) as Record<string, any>;
  } catch {
    throw new BridgeError('PROXY_ERROR', `${proxy.hostPort}/webapi/ping did not answer JSON: is --proxy the Teleport web address?`);
  }
  if (typeof json.cluster_name !== 'string' || !json.cluster_name) {
    throw new BridgeError('PROXY_ERROR', `${proxy.hostPort}/webapi/ping has no cluster_name: is --proxy the Teleport web address?`);
  }
  const suite = json.auth?.signature_algorithm_suite;
  const publicAddr = json.proxy?.ssh?.public_addr;
  return {
    clusterName: json.cluster_name,
    serverVersion: typeof json.server_version === 'string' ? json.server_version : '',
    minClientVersion: typeof json.min_client_version === 'string' ? json.min_client_version : undefined,
    tlsRoutingEnabled: json.proxy?.tls_routing_enabled === true,
    webPublicAddr: typeof publicAddr === 'string' && publicAddr ? publicAddr : undefined,
    signatureAlgorithmSuite: typeof suite === 'string' && suite && suite !== 'unspecified' ? suite : 'legacy',
  };
}

/**
 * GET https://<proxy>/webapi/ping without a client certificate. The whole exchange is bounded by `timeoutMs`:
 * ping is small, so a proxy that accepts but never answers is as unreachable as one that refuses.
 */
export async function pingProxy(proxy: ProxyAddress, trust: WebTrust, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<ProxyPing> {
  const deadline = Date.now() + timeoutMs;
  const socket = await dialTls({
    target: proxy,
    servername: proxy.servername,
    alpn: ['http/1.1'],
    ca: trust.extraCAs,
    rejectUnauthorized: !trust.insecure,
    timeoutMs,
    proxyUse: 'https', // an https:// request in tsh: HTTPS_PROXY alone applies
  }).catch((err: unknown) => {
    throw webDialError(proxy, err);
  });
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    // No `agent`: with createConnection alone Node uses the socket dialed above (agent:false would dial anew).
    const req = request(
      {
        method: 'GET',
        path: '/webapi/ping',
        headers: { host: proxy.hostPort, accept: 'application/json', connection: 'close' },
        createConnection: () => socket,
        timeout: Math.max(1, deadline - Date.now()),
      },
      (res) => readBody(res).then((text) => resolve({ status: res.statusCode ?? 0, body: text }), reject),
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  })
    .catch((err: unknown) => {
      throw new BridgeError('PROXY_UNREACHABLE', `GET https://${proxy.hostPort}/webapi/ping failed (${failureCode(err)}).`, { cause: err });
    })
    .finally(() => socket.destroy());
  if (status !== 200) {
    const message = errorMessage(body);
    throw new BridgeError('PROXY_ERROR', `GET https://${proxy.hostPort}/webapi/ping answered ${status}${message ? `: ${message}` : ''}.`);
  }
  return parsePing(proxy, body);
}
