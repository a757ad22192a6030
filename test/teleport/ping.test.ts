import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, generateKeyPair, issueServerCert, privateKeyPem, type CertificateAuthority } from '../../fixtures/pki';
import { pingProxy } from '../../src/teleport/ping';
import { parseProxyAddress } from '../../src/teleport/proxy-address';

const PING = {
  auth: { type: 'local', second_factor: 'on', signature_algorithm_suite: 'balanced-v1' },
  proxy: { ssh: { public_addr: 'teleport.example.com:443' }, tls_routing_enabled: true },
  server_version: '18.3.1',
  min_client_version: '17.0.0-aa',
  cluster_name: 'example.com',
};

let webCA: CertificateAuthority;
let server: Server;
let port: number;
let answer: { status: number; body: string };

beforeAll(async () => {
  webCA = await createCA({ clusterName: 'Test Public CA', kind: 'public', algorithm: 'p256' });
  const key = await generateKeyPair('p256');
  const cert = await issueServerCert(webCA, { publicKey: key, commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], notAfter: new Date(Date.now() + 3600_000) });
  server = createHttpsServer({ key: privateKeyPem(key), cert: cert.pem }, (req, res) => {
    if (req.url !== '/webapi/ping') return void res.writeHead(404).end();
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  answer = { status: 200, body: JSON.stringify(PING) };
});

const trusted = () => ({ extraCAs: [webCA.cert.pem], insecure: false });

describe('pingProxy', () => {
  it('reads cluster name, version, TLS routing, public address and key suite when --ca trusts the proxy', async () => {
    await expect(pingProxy(parseProxyAddress(`127.0.0.1:${port}`), trusted())).resolves.toEqual({
      clusterName: 'example.com',
      serverVersion: '18.3.1',
      minClientVersion: '17.0.0-aa',
      tlsRoutingEnabled: true,
      webPublicAddr: 'teleport.example.com:443',
      signatureAlgorithmSuite: 'balanced-v1',
    });
  });

  it('treats a cluster without signature_algorithm_suite as legacy', async () => {
    answer.body = JSON.stringify({ ...PING, auth: { type: 'local' } });
    const ping = await pingProxy(parseProxyAddress(`localhost:${port}`), trusted());
    expect(ping.signatureAlgorithmSuite).toBe('legacy');
  });

  it('refuses an untrusted proxy certificate with TLS_VERIFY_FAILED and the --ca hint', async () => {
    const err = await pingProxy(parseProxyAddress(`127.0.0.1:${port}`), { extraCAs: [], insecure: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ tag: 'TLS_VERIFY_FAILED' });
    expect((err as Error).message).toMatch(/--ca FILE/);
  });

  it('accepts the untrusted certificate only behind --insecure', async () => {
    const ping = await pingProxy(parseProxyAddress(`127.0.0.1:${port}`), { extraCAs: [], insecure: true });
    expect(ping.clusterName).toBe('example.com');
  });

  it('reports a closed port as PROXY_UNREACHABLE naming the address', async () => {
    const closed = createHttpsServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await pingProxy(parseProxyAddress(`127.0.0.1:${closedPort}`), trusted()).catch((e: unknown) => e);
    expect(err).toMatchObject({ tag: 'PROXY_UNREACHABLE' });
    expect((err as Error).message).toContain(`127.0.0.1:${closedPort}`);
  });

  it("passes the proxy's error message on as PROXY_ERROR", async () => {
    answer = { status: 500, body: JSON.stringify({ error: { message: 'cluster is shutting down' } }) };
    const err = await pingProxy(parseProxyAddress(`127.0.0.1:${port}`), trusted()).catch((e: unknown) => e);
    expect(err).toMatchObject({ tag: 'PROXY_ERROR' });
    expect((err as Error).message).toContain('500: cluster is shutting down');
  });

  it('says so when the address answers but is not a Teleport web endpoint', async () => {
    answer.body = '<html>hello</html>';
    await expect(pingProxy(parseProxyAddress(`127.0.0.1:${port}`), trusted())).rejects.toMatchObject({ tag: 'PROXY_ERROR' });
  });
});
