import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, rootCertificates, type Server } from 'node:tls';
import { promisify } from 'node:util';
import { beyondBundledRoots } from '../../src/tls/trust';
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

async function handshake(port: number, extraFile = 'extra.pem'): Promise<string> {
  const script = join(__dirname, 'support/verify-with-named-ca.ts');
  const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), script, String(port), join(dir, 'named.pem')], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, extraFile) },
  });
  return stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bridge-trust-'));
  [named, extra, stranger] = await Promise.all(['named', 'extra', 'stranger'].map((name) => createCA({ clusterName: `${name}.test`, kind: 'public', algorithm: 'p256' })));
  writeFileSync(join(dir, 'named.pem'), named.cert.pem);
  writeFileSync(join(dir, 'extra.pem'), extra.cert.pem);
  // What NODE_EXTRA_CA_CERTS often names: the system bundle (Node's own roots, again) with a private CA in it.
  writeFileSync(join(dir, 'system-bundle.pem'), [...rootCertificates.slice(0, 70), extra.cert.pem, ...rootCertificates.slice(70)].join('\n'));
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

test('a private CA inside a system bundle named by NODE_EXTRA_CA_CERTS is still verified when --ca names another', async () => {
  expect(await handshake(await serverSignedBy(extra), 'system-bundle.pem')).toBe('verified');
  expect(await handshake(await serverSignedBy(stranger), 'system-bundle.pem')).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
});

test("of NODE_EXTRA_CA_CERTS, only what Node's bundled roots lack is added again (each root would be parsed once more per context)", () => {
  const trusted = '-----BEGIN TRUSTED CERTIFICATE-----\nMIIBkTCB+wIJAK==\n-----END TRUSTED CERTIFICATE-----';
  const crlf = (pem: string) => pem.replace(/\n/g, '\r\n');
  const bundle = [rootCertificates[0]!, extra.cert.pem, crlf(rootCertificates[1]!), trusted, rootCertificates[2]!].join('\n');
  const kept = beyondBundledRoots(bundle);
  expect(kept).toContain(extra.cert.pem.trim());
  expect(kept).toContain(trusted);
  for (const root of rootCertificates.slice(0, 3)) expect(kept).not.toContain(root.split('\n')[1]);
  expect(beyondBundledRoots(rootCertificates.join('\n'))).toBe('');
});

test("under --use-openssl-ca (a context's copy then holds OpenSSL's store, not Node's roots) the whole bundle is added", () => {
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = '--use-openssl-ca';
  try {
    expect(beyondBundledRoots(rootCertificates.slice(0, 3).join('\n')).match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
});
