import { isIP, type Socket } from 'node:net';
import { BridgeError } from '../errors/catalogue';
import type { ProxyTarget } from './proxy-env';

/** A proxy answering with more header bytes than this is not speaking HTTP to us. */
const MAX_RESPONSE_HEAD = 16 * 1024;

/** host:port for the request line, IPv6 in brackets. */
function authority(target: ProxyTarget): string {
  return `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
}

/** The proxy as named in errors and logs: never its credentials. */
function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** The user name and password of a proxy URL, decoded; undefined when it has none. */
export function proxyCredentials(proxy: URL): { username: string; password: string } | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  return { username: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) };
}

export function tunnelError(proxy: URL, target: ProxyTarget, why: string, cause?: unknown): BridgeError {
  return new BridgeError('HTTP_PROXY_FAILED', `The proxy ${proxyLabel(proxy)} could not open a tunnel to ${authority(target)}: ${why}.`, { cause });
}

/**
 * Sends `CONNECT host:port` on `transport` (a TCP connection to an http:// proxy, or TLS to an https:// one, possibly
 * still connecting) and resolves with it once the proxy answered 200, so the caller runs its own TLS inside. Any other
 * answer is refused (a 407 names the credentials, never their value). `timeoutMs` bounds connecting and the answer.
 */
export function connectTunnel<S extends Socket>(transport: S, proxy: URL, target: ProxyTarget, timeoutMs: number): Promise<S> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(tunnelError(proxy, target, `no answer within ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      transport.off('data', onData);
      transport.off('error', onError);
      transport.off('close', onClose);
    };
    function fail(err: BridgeError) {
      cleanup();
      transport.destroy();
      reject(err);
    }
    function onError(err: NodeJS.ErrnoException) {
      fail(tunnelError(proxy, target, `connection to the proxy failed (${err.code ?? err.message})`, err));
    }
    function onClose() {
      fail(tunnelError(proxy, target, 'the proxy closed the connection before answering'));
    }
    function onData(chunk: Buffer) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD) fail(tunnelError(proxy, target, 'the answer is not HTTP'));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      if (status !== '200') {
        const hint = status === '407' ? (proxyCredentials(proxy) ? ': the proxy refused the credentials in the proxy URL' : ': the proxy wants credentials (scheme://user:password@host:port)') : '';
        fail(tunnelError(proxy, target, status ? `it answered HTTP ${status}${hint}` : 'the answer is not HTTP'));
        return;
      }
      transport.pause(); // no bytes may flow past until the TLS layer above takes the socket
      cleanup();
      const rest = head.subarray(end + 4);
      if (rest.length) transport.unshift(rest); // the server's first TLS bytes, if the proxy sent them along
      resolve(transport);
    }
    transport.on('data', onData);
    transport.on('error', onError);
    transport.on('close', onClose);
    const credentials = proxyCredentials(proxy);
    // Basic with user:password as given, an empty password included (what tsh sends).
    const auth = credentials && `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
    const where = authority(target);
    transport.write(`CONNECT ${where} HTTP/1.1\r\nHost: ${where}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
  });
}
