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
let clientCA: CertificateAuthority;

/** A client identity signed by `ca`, as PEM texts. */
async function issueClientIdentity(ca: CertificateAuthority, name: string): Promise<{ cert: string; key: string }> {
  const key = await generateKeyPair('p256');
  const cert = await issueIdentityCert(ca, { publicKey: key, identity: { username: name, roles: ['bot'] }, notAfter: new Date(Date.now() + HOUR) });
  return { cert: cert.pem, key: privateKeyPem(key) };
}

const certPath = (name: string) => join(dir, `${name}.crt`);
const keyPath = (name: string) => join(dir, `${name}.key`);

/** Writes a client identity signed by `ca` as PEM files. */
async function writeClientIdentity(ca: CertificateAuthority, name: string): Promise<void> {
  const { cert, key } = await issueClientIdentity(ca, name);
  writeFileSync(certPath(name), cert);
  writeFileSync(keyPath(name), key, { mode: 0o600 });
}

const initialize = (id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) + '\n';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-bridge-mtls-'));
  const serverCA = await createCA({ clusterName: 'web', kind: 'public', algorithm: 'p256' });
  clientCA = await createCA({ clusterName: 'clients', kind: 'user', algorithm: 'p256' });
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

const tlsArgs = (name: string) => ['--cert', certPath(name), '--key', keyPath(name), '--ca', join(dir, 'server-ca.pem')];

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
  bridge.send(initialize(1));
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

test('a key file missing at launch answers each request with IDENTITY_UNREADABLE until it is written, then relays without a restart', async () => {
  const late = await issueClientIdentity(clientCA, 'late-bot');
  writeFileSync(certPath('late-bot'), late.cert);
  const bridge = new RawBridge(['connect', '--url', front.url('https'), ...tlsArgs('late-bot')]);
  bridge.send(initialize(1));
  const [refused] = await bridge.until((all) => all.length > 0);
  expect(refused.id).toBe(1);
  expect(refused.error.data.tag).toBe('MCP_BRIDGE_IDENTITY_UNREADABLE');
  expect(refused.error.message).toContain(keyPath('late-bot'));

  writeFileSync(keyPath('late-bot'), late.key, { mode: 0o600 });
  bridge.send(initialize(2));
  const [, initialized] = await bridge.until((all) => all.length > 1);
  expect(initialized.id).toBe(2);
  expect(initialized.result.serverInfo.name).toBeTruthy();
  bridge.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  bridge.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { message: 'late key' } } }) + '\n');
  const [, , echoed] = await bridge.until((all) => all.length > 2);
  expect(echoed.id).toBe(3);
  expect(echoed.result.content[0].text).toBe('Echo: late key');
  expect(front.requests.some((r) => r.clientCN === 'late-bot')).toBe(true);
  // stdout carried JSON-RPC only (messages() throws on anything else) and the bridge ran on: a clean exit.
  expect(bridge.messages()).toHaveLength(3);
  expect(await bridge.end()).toBe(0);
});
