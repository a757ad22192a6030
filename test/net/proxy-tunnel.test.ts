import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createClusterCAs, type ClusterCAs } from '../../fixtures/cluster/cas';
import { startConnectProxy, type ConnectProxy } from '../../fixtures/net/connect-proxy';
import { startSocks5Proxy, type Socks5Proxy } from '../../fixtures/net/socks5-proxy';
import { openProxyTunnel } from '../../src/net/proxy-tunnel';

/** Tunnel failures through real SOCKS5 and TLS proxies on loopback: tagged, naming the cause, never the secret. */

let echo: Server;
let echoPort: number;
let cas: ClusterCAs;
let socks: Socks5Proxy;
let tlsProxy: ConnectProxy;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as AddressInfo).port;
  cas = await createClusterCAs('net.test', 'balanced-v1');
  [socks, tlsProxy] = await Promise.all([
    startSocks5Proxy({ hosts: { 'echo.test': '127.0.0.1' }, auth: { username: 'alice', password: 'right-secret' } }),
    startConnectProxy({ hosts: { 'echo.test': '127.0.0.1' }, tls: cas.web }),
  ]);
});

afterAll(async () => {
  await Promise.all([socks?.close(), tlsProxy?.close(), new Promise((r) => echo?.close(r))]);
});

const target = () => ({ host: 'echo.test', port: echoPort });

test('a SOCKS5 tunnel carries bytes both ways to a name only the proxy resolves', async () => {
  const socket = await openProxyTunnel(new URL(`socks5://alice:right-secret@127.0.0.1:${socks.port}`), target(), 5_000);
  socket.write('ping');
  const [data] = (await once(socket, 'data')) as [Buffer];
  expect(data.toString()).toBe('ping');
  socket.destroy();
  expect(socks.tunnels).toContain(`echo.test:${echoPort}`);
});

test('SOCKS5 credentials refused, or missing, are HTTP_PROXY_FAILED without the secret', async () => {
  const wrong = await openProxyTunnel(new URL(`socks5://alice:wrong-secret@127.0.0.1:${socks.port}`), target(), 5_000).catch((e: Error) => e);
  expect(String(wrong)).toMatch(/HTTP_PROXY_FAILED.*socks5:\/\/127\.0\.0\.1.*SOCKS5.*auth/i);
  expect(String(wrong)).not.toMatch(/wrong-secret|alice/);
  const none = await openProxyTunnel(new URL(socks.url), target(), 5_000).catch((e: Error) => e);
  expect(String(none)).toMatch(/HTTP_PROXY_FAILED.*socks5:\/\/user:password@host:port/);
});

test('an https:// proxy whose certificate is not trusted is refused before CONNECT is sent', async () => {
  const before = tlsProxy.tunnels.length;
  const err = await openProxyTunnel(new URL(tlsProxy.url), target(), 5_000).catch((e: Error) => e);
  expect(String(err)).toMatch(/HTTP_PROXY_FAILED.*https:\/\/127\.0\.0\.1.*connection to the proxy failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
  expect(tlsProxy.tunnels.length).toBe(before);
});
