import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { BridgeError } from '../errors/catalogue';
import type { ProxyTarget } from './proxy-env';

/** A proxy answering with more header bytes than this is not speaking HTTP to us. */
const MAX_RESPONSE_HEAD = 16 * 1024;

/** host:port for the request line, IPv6 in brackets. */
function authority(target: ProxyTarget): string {
  return `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`;
}

/** The proxy as named in errors and logs: never its credentials. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

function basicAuth(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const password = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function tunnelError(proxy: URL, target: ProxyTarget, why: string, cause?: unknown): BridgeError {
  return new BridgeError('HTTP_PROXY_FAILED', `The HTTP proxy ${proxyLabel(proxy)} could not open a tunnel to ${authority(target)}: ${why}.`, { cause });
}

/**
 * Opens `CONNECT host:port` through an HTTP proxy and resolves with the raw socket once the proxy answered 200, so
 * the caller runs TLS end to end inside it. Any other answer is refused (a 407 names the credentials, never their
 * value). `timeoutMs` bounds connecting and the proxy's answer.
 */
export function openConnectTunnel(proxy: URL, target: ProxyTarget, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port || 80) });
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(tunnelError(proxy, target, `no answer within ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    function fail(err: BridgeError) {
      cleanup();
      socket.destroy();
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
        const hint = status === '407' ? (basicAuth(proxy) ? ': the proxy refused the credentials in the proxy URL' : ': the proxy wants credentials (http://user:password@host:port)') : '';
        fail(tunnelError(proxy, target, status ? `it answered HTTP ${status}${hint}` : 'the answer is not HTTP'));
        return;
      }
      socket.pause(); // no bytes may flow past until the TLS layer above takes the socket
      cleanup();
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest); // the server's first TLS bytes, if the proxy sent them along
      resolve(socket);
    }
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    const auth = basicAuth(proxy);
    const where = authority(target);
    socket.write(`CONNECT ${where} HTTP/1.1\r\nHost: ${where}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
  });
}
