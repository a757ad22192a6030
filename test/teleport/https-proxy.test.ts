import { PROXY_HOSTNAME } from '../../fixtures/cluster/cas';
import { startConnectProxy, type ConnectProxy } from '../../fixtures/net/connect-proxy';
import { silentLogger } from '../../src/log/logger';
import { AuthClient } from '../../src/teleport/auth-client';
import { pingProxy } from '../../src/teleport/ping';
import { parseProxyAddress } from '../../src/teleport/proxy-address';
import { startHarness, type Harness } from './harness';

/**
 * Dials to the Teleport Proxy through HTTPS_PROXY. Loopback is never proxied, so the cluster is addressed by a
 * name this machine cannot resolve (PROXY_HOSTNAME): only the CONNECT proxy fixture maps it to 127.0.0.1, so a
 * dial that bypassed the proxy would fail with ENOTFOUND. The web certificate carries that name: TLS is verified
 * end to end inside the tunnel.
 */

let harness: Harness;
let corp: ConnectProxy;
let guarded: ConnectProxy;
const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };

beforeAll(async () => {
  [harness, corp, guarded] = await Promise.all([
    startHarness({}),
    startConnectProxy({ hosts: { [PROXY_HOSTNAME]: '127.0.0.1' } }),
    startConnectProxy({ hosts: { [PROXY_HOSTNAME]: '127.0.0.1' }, auth: { username: 'alice', password: 's3cr:et' } }),
  ]);
});

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

afterAll(async () => {
  await Promise.all([harness?.close(), corp?.close(), guarded?.close()]);
});

const proxyAddress = () => parseProxyAddress(`${PROXY_HOSTNAME}:${harness.cluster.proxyPort}`);
const webTrust = () => ({ extraCAs: [harness.cluster.cas.public.cert.pem], insecure: false });

/** An Auth Service client with a new bot's identity, dialing the proxy by the name only the corporate proxies resolve. */
async function authClientOfBot(name: string): Promise<AuthClient> {
  const creds = (await harness.bot({ name, roles: ['mcp-all'] })).watcher.current();
  return new AuthClient({
    proxy: proxyAddress(),
    clusterName: harness.cluster.clusterName,
    credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: creds.caPems },
    logger: silentLogger,
  });
}

test('ping goes through the CONNECT proxy and verifies the web certificate inside the tunnel', async () => {
  process.env.HTTPS_PROXY = corp.url;
  const before = corp.tunnels.length;
  const ping = await pingProxy(proxyAddress(), webTrust());
  expect(ping.clusterName).toBe(harness.cluster.clusterName);
  expect(corp.tunnels.slice(before)).toEqual([`${PROXY_HOSTNAME}:${harness.cluster.proxyPort}`]);
});

test('an untrusted web certificate is still refused inside the tunnel', async () => {
  process.env.HTTPS_PROXY = corp.url;
  await expect(pingProxy(proxyAddress(), { extraCAs: [], insecure: false })).rejects.toThrow(/TLS_VERIFY_FAILED/);
});

test('auth gRPC goes through the proxy with Basic credentials from the proxy URL', async () => {
  process.env.HTTPS_PROXY = `http://alice:${encodeURIComponent('s3cr:et')}@127.0.0.1:${guarded.port}`;
  const client = await authClientOfBot('proxied');
  try {
    const before = guarded.tunnels.length;
    await client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 });
    expect(guarded.tunnels.length).toBe(before + 1);
    expect(harness.cluster.recorder.rpcs.some((r) => r.method === 'ListResources' && r.caller === 'bot-proxied')).toBe(true);
  } finally {
    await client.close();
  }
});

test('a proxy refusing the credentials is a tagged error that never echoes them', async () => {
  process.env.HTTPS_PROXY = `http://alice:wrong-secret@127.0.0.1:${guarded.port}`;
  const err = await pingProxy(proxyAddress(), webTrust()).catch((e: Error) => e);
  expect(String(err)).toMatch(/HTTP_PROXY_FAILED.*407.*refused the credentials/);
  expect(String(err)).not.toContain('wrong-secret');
  expect(String(err)).not.toContain('alice');
});

test('NO_PROXY exempts the host: the dial goes direct (and this name then does not resolve)', async () => {
  process.env.HTTPS_PROXY = corp.url;
  process.env.NO_PROXY = '.mcp-bridge.test';
  const before = corp.tunnels.length;
  await expect(pingProxy(proxyAddress(), webTrust(), 2_000)).rejects.toThrow(/PROXY_UNREACHABLE.*(ENOTFOUND|EAI_AGAIN)/);
  expect(corp.tunnels.length).toBe(before);
});

test('like tsh, ping (an https:// request) uses HTTPS_PROXY alone, while auth dials fall back to HTTP_PROXY', async () => {
  delete process.env.HTTPS_PROXY;
  process.env.HTTP_PROXY = corp.url;
  const before = corp.tunnels.length;
  await expect(pingProxy(proxyAddress(), webTrust(), 2_000)).rejects.toThrow(/PROXY_UNREACHABLE.*(ENOTFOUND|EAI_AGAIN)/);
  expect(corp.tunnels.length).toBe(before);
  const client = await authClientOfBot('http-proxy-dial');
  try {
    await client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 });
    expect(corp.tunnels.length).toBe(before + 1);
  } finally {
    await client.close();
  }
});
