import { X509Certificate } from 'node:crypto';
import { CredentialWatcher } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { obtainAppCert } from '../../src/teleport/app-cert';
import { findMcpApp, listMcpApps } from '../../src/teleport/apps';
import { AuthClient } from '../../src/teleport/auth-client';
import { pingProxy } from '../../src/teleport/ping';
import { parseProxyAddress } from '../../src/teleport/proxy-address';
import { mcpApp, startHarness, type Harness } from './harness';

let h: Harness;
let watcher: CredentialWatcher;

beforeAll(async () => {
  h = await startHarness({
    apps: [
      mcpApp('everything', 'mcp+http://127.0.0.1:9/mcp', { description: 'demo server' }),
      mcpApp('dashboard', 'http://127.0.0.1:9/'),
      mcpApp('legacy-sse', 'mcp+sse+http://127.0.0.1:9/sse'),
      mcpApp('local-tool', 'mcp+stdio://'),
    ],
  });
  ({ watcher } = await h.bot({ name: 'agent', roles: ['mcp-all'], allowReissue: true }));
});

afterAll(() => h.close());
beforeEach(() => h.cluster.recorder.clear());

const issueFor = async (w: CredentialWatcher, appName: string) => {
  const auth = h.auth(w);
  const ping = await pingProxy(parseProxyAddress(h.cluster.proxyAddr), { extraCAs: [h.cluster.cas.public.cert.pem], insecure: false });
  const app = await findMcpApp(auth, appName);
  return obtainAppCert({ auth, credentials: w.current(), app, clusterName: ping.clusterName, signatureAlgorithmSuite: ping.signatureAlgorithmSuite, logger: silentLogger });
};

describe('app lookup through the Auth Service', () => {
  it('finds an mcp+http app with a ListResources request carrying the exact fields tsh sends', async () => {
    const app = await findMcpApp(h.auth(watcher), 'everything');
    expect(app).toMatchObject({ name: 'everything', uri: 'mcp+http://127.0.0.1:9/mcp', publicAddr: 'everything.mcp-bridge.test', transport: 'streamable-http', description: 'demo server' });
    const [rpc] = h.cluster.recorder.rpcs;
    expect(rpc).toMatchObject({ method: 'ListResources', code: 0, caller: 'bot-agent' });
    expect(rpc!.request).toMatchObject({
      ResourceType: 'app_server',
      Namespace: 'default',
      Limit: 1,
      PredicateExpression: 'name == "everything"',
      SortBy: { IsDesc: false, Field: 'name' },
    });
  });

  it('reports APP_NOT_FOUND and APP_NOT_MCP', async () => {
    const auth = h.auth(watcher);
    await expect(findMcpApp(auth, 'nope')).rejects.toMatchObject({ tag: 'APP_NOT_FOUND' });
    await expect(findMcpApp(auth, 'dashboard')).rejects.toMatchObject({ tag: 'APP_NOT_MCP' });
  });

  it('classifies the transport from the URI scheme: mcp+sse+http(s) is SSE, mcp+stdio is stdio', async () => {
    const auth = h.auth(watcher);
    expect(await findMcpApp(auth, 'legacy-sse')).toMatchObject({ transport: 'sse' });
    expect(await findMcpApp(auth, 'local-tool')).toMatchObject({ transport: 'stdio' });
  });

  it('lists every MCP app with its transport', async () => {
    const apps = await listMcpApps(h.auth(watcher));
    expect(apps.map((a) => [a.name, a.transport])).toEqual([
      ['everything', 'streamable-http'],
      ['legacy-sse', 'sse'],
      ['local-tool', 'stdio'],
    ]);
    expect(apps[0]!.labels).toEqual({ env: 'test' });
  });
});

describe('app certificates', () => {
  it('asks GenerateUserCerts with the fields tsh sends and gets a cert for a fresh key of the cluster suite', async () => {
    const creds = watcher.current();
    const cert = await issueFor(watcher, 'everything');
    expect(cert.origin).toBe('issued');
    const parsed = new X509Certificate(cert.certPem);
    expect(parsed.publicKey.asymmetricKeyType).toBe('ec'); // balanced-v1 → P-256
    expect(parsed.publicKey.export({ type: 'spki', format: 'pem' })).not.toEqual(new X509Certificate(creds.certPem).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(cert.notAfter.getTime()).toBeLessThanOrEqual(creds.identity.notAfter.getTime());
    const methods = h.cluster.recorder.rpcs.map((r) => r.method);
    expect(methods).toEqual(['ListResources', 'IsMFARequired', 'GenerateUserCerts']);
    const mfa = h.cluster.recorder.rpcs[1]!.request;
    expect(mfa).toMatchObject({ App: { Name: 'everything', PublicAddr: 'everything.mcp-bridge.test', ClusterName: h.cluster.clusterName } });
    const request = h.cluster.recorder.rpcs[2]!.request as Record<string, any>;
    expect(request).toMatchObject({
      Username: 'bot-agent',
      RouteToCluster: h.cluster.clusterName,
      Usage: 'App',
      RequesterName: 'TSH_APP_LOCAL_PROXY',
      RouteToApp: { Name: 'everything', PublicAddr: 'everything.mcp-bridge.test', ClusterName: h.cluster.clusterName, URI: 'mcp+http://127.0.0.1:9/mcp' },
    });
    expect(Number(request.Expires.seconds)).toBe(Math.floor(creds.identity.notAfter.getTime() / 1000));
    expect(Buffer.from(request.TLSPublicKey).toString()).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('reports REISSUE_DENIED for a tbot identity without allow_reissue', async () => {
    const { watcher: strict } = await h.bot({ name: 'strict', roles: ['mcp-all'] });
    await expect(issueFor(strict, 'everything')).rejects.toThrow(/REISSUE_DENIED.*allow_reissue: true/);
  });

  it('reports MFA_REQUIRED before asking for a certificate when a role requires per-session MFA', async () => {
    const { watcher: mfa } = await h.bot({ name: 'mfa', roles: ['mcp-mfa'], allowReissue: true });
    await expect(issueFor(mfa, 'everything')).rejects.toMatchObject({ tag: 'MFA_REQUIRED' });
    expect(h.cluster.recorder.rpcs.map((r) => r.method)).not.toContain('GenerateUserCerts');
  });

  it("uses tbot's application output directly, without GenerateUserCerts", async () => {
    const { watcher: appBot } = await h.bot({ name: 'appbot', roles: ['mcp-all'], app: 'everything' });
    h.cluster.recorder.clear();
    const cert = await issueFor(appBot, 'everything');
    expect(cert).toMatchObject({ origin: 'identity', certPem: appBot.current().certPem });
    expect(h.cluster.recorder.rpcs.map((r) => r.method)).toEqual(['ListResources']);
  });
});

describe('Auth Service connection', () => {
  it('refuses an Auth Service whose certificate is not signed by the Host CA, before sending any request', async () => {
    const creds = watcher.current();
    const client = new AuthClient({
      proxy: parseProxyAddress(h.cluster.proxyAddr),
      clusterName: h.cluster.clusterName,
      // Trust the proxy's public CA instead of the Host CA: the auth certificate cannot verify.
      credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: [h.cluster.cas.public.cert.pem] },
      logger: silentLogger,
    });
    try {
      await expect(findMcpApp(client, 'everything')).rejects.toMatchObject({ tag: 'TLS_VERIFY_FAILED' });
      expect(h.cluster.recorder.rpcs).toHaveLength(0);
    } finally {
      await client.close();
    }
  });

  it('reports AUTH_UNREACHABLE when nothing listens on the proxy port', async () => {
    const creds = watcher.current();
    const client = new AuthClient({
      proxy: parseProxyAddress('127.0.0.1:1'),
      clusterName: h.cluster.clusterName,
      credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: creds.caPems },
      logger: silentLogger,
    });
    await expect(findMcpApp(client, 'everything')).rejects.toMatchObject({ tag: 'AUTH_UNREACHABLE' });
    await client.close();
  });
});
