import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, generateKeyPair, issueIdentityCert, issueServerCert, privateKeyPem, type CertificateAuthority } from '../../fixtures/pki';
import { clientThroughBridge, RawBridge } from '../mcp/support/bridge';
import { RecordingProxy } from '../mcp/support/recording-proxy';
import { startServerEverything, type ServerEverything } from '../../fixtures/upstreams';

const HOUR = 3600_000;
let dir: string;
let server: ServerEverything;
let front: RecordingProxy;

/** Writes a client identity signed by `ca` as PEM files and returns their paths. */
async function writeClientIdentity(ca: CertificateAuthority, name: string): Promise<{ cert: string; key: string }> {
  const key = await generateKeyPair('p256');
  const cert = await issueIdentityCert(ca, { publicKey: key, identity: { username: name, roles: ['bot'] }, notAfter: new Date(Date.now() + HOUR) });
  const paths = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  writeFileSync(paths.cert, cert.pem);
  writeFileSync(paths.key, privateKeyPem(key), { mode: 0o600 });
  return paths;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-bridge-mtls-'));
  const serverCA = await createCA({ clusterName: 'web', kind: 'public', algorithm: 'p256' });
  const clientCA = await createCA({ clusterName: 'clients', kind: 'user', algorithm: 'p256' });
  const serverKey = await generateKeyPair('p256');
  const serverCert = await issueServerCert(serverCA, { publicKey: serverKey, commonName: 'localhost', ipAddresses: ['127.0.0.1'], notAfter: new Date(Date.now() + HOUR) });
  writeFileSync(join(dir, 'server-ca.pem'), serverCA.cert.pem);
  await writeClientIdentity(clientCA, 'good-bot');
  await writeClientIdentity(await createCA({ clusterName: 'rogue', kind: 'user', algorithm: 'p256' }), 'rogue-bot');
  server = await startServerEverything();
  front = await RecordingProxy.start(server.url, {
    key: privateKeyPem(serverKey),
    cert: serverCert.pem,
    ca: clientCA.cert.pem,
    requestCert: true,
    rejectUnauthorized: true,
  });
});

afterAll(async () => {
  await front?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tlsArgs = (name: string) => ['--cert', join(dir, `${name}.crt`), '--key', join(dir, `${name}.key`), '--ca', join(dir, 'server-ca.pem')];

test('--url https with --cert/--key/--ca presents the client certificate and relays calls', async () => {
  const { client } = await clientThroughBridge(['connect', '--url', front.url('https'), ...tlsArgs('good-bot')]);
  const result: any = await client.callTool({ name: 'echo', arguments: { message: 'over mTLS' } });
  await client.close();
  expect(result.content[0].text).toBe('Echo: over mTLS');
  expect(front.requests.length).toBeGreaterThan(0);
  expect(front.requests.every((r) => r.clientCN === 'good-bot')).toBe(true);
});

test('a client certificate the server does not trust is refused with CLIENT_CERT_REJECTED, not a hang', async () => {
  const bridge = new RawBridge(['connect', '--url', front.url('https'), ...tlsArgs('rogue-bot')]);
  bridge.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) + '\n');
  const [answer] = await bridge.until((all) => all.length > 0);
  expect(answer.id).toBe(1);
  expect(answer.error.data.tag).toBe('MCP_BRIDGE_CLIENT_CERT_REJECTED');
  expect(answer.error.message).toContain('127.0.0.1');
  expect(await bridge.end()).toBe(0);
});

test('without --ca the private server certificate is refused with TLS_VERIFY_FAILED', async () => {
  const bridge = new RawBridge(['connect', '--url', front.url('https')]);
  bridge.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }) + '\n');
  const [answer] = await bridge.until((all) => all.length > 0);
  expect(answer.error.data.tag).toBe('MCP_BRIDGE_TLS_VERIFY_FAILED');
  expect(await bridge.end()).toBe(0);
});
