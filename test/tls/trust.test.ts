import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { promisify } from 'node:util';
import { createCA, generateKeyPair, issueServerCert, privateKeyPem, type CertificateAuthority } from '../../fixtures/pki';

/**
 * `--ca` adds to what Node trusts, it does not replace it: NODE_EXTRA_CA_CERTS (which a user sets once for every Node
 * program) stays trusted beside the named CA, though Node 20 drops it from a context that CAs are added to.
 */
let dir: string;
let named: CertificateAuthority;
let extra: CertificateAuthority;
let stranger: CertificateAuthority;
const servers: Server[] = [];

async function serverSignedBy(ca: CertificateAuthority): Promise<number> {
  const key = await generateKeyPair('p256');
  const cert = await issueServerCert(ca, { publicKey: key, commonName: 'localhost', dnsNames: ['localhost'], notAfter: new Date(Date.now() + 3_600_000) });
  const server = createServer({ cert: cert.pem, key: privateKeyPem(key) }, (socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function handshake(port: number): Promise<string> {
  const script = join(__dirname, 'support/verify-with-named-ca.ts');
  const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), script, String(port), join(dir, 'named.pem')], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'extra.pem') },
  });
  return stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bridge-trust-'));
  [named, extra, stranger] = await Promise.all(['named', 'extra', 'stranger'].map((name) => createCA({ clusterName: `${name}.test`, kind: 'public', algorithm: 'p256' })));
  writeFileSync(join(dir, 'named.pem'), named.cert.pem);
  writeFileSync(join(dir, 'extra.pem'), extra.cert.pem);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(dir, { recursive: true, force: true });
});

test('a server signed by the CA named with --ca is verified', async () => {
  expect(await handshake(await serverSignedBy(named))).toBe('verified');
});

test('a server signed by a CA from NODE_EXTRA_CA_CERTS is still verified when --ca names another', async () => {
  expect(await handshake(await serverSignedBy(extra))).toBe('verified');
});

test('a server signed by neither is refused', async () => {
  expect(await handshake(await serverSignedBy(stranger))).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
});
