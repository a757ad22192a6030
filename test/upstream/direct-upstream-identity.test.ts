import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createCA, generateKeyPair, issueServerCert, privateKeyPem } from '../../fixtures/pki';
import { BridgeError } from '../../src/errors/catalogue';
import { CredentialWatcher, type IdentitySource } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { createDirectUpstream } from '../../src/upstream/direct';
import type { Upstream } from '../../src/upstream/types';
import { createTestPki, issueTestIdentity, type TestIdentity } from '../identity/tbot-output';

// --url mode with an identity whose files are not usable at launch: ready() reports why per call, and the pool is
// built with the client certificate once the files are usable (no restart).
let dir: string;
let server: Server;
let url: URL;
let identity: TestIdentity;
let expiredIdentity: TestIdentity;
let files: { certFile: string; keyFile: string };
let source: IdentitySource;
let seq = 0;
const closing: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'direct-identity-'));
  const pki = await createTestPki('p256');
  identity = await issueTestIdentity(pki);
  expiredIdentity = await issueTestIdentity(pki, { notBefore: new Date(Date.now() - 7200_000), notAfter: new Date(Date.now() - 3600_000) });
  const serverCA = await createCA({ clusterName: 'web', kind: 'public', algorithm: 'p256' });
  const serverKey = await generateKeyPair('p256');
  const serverCert = await issueServerCert(serverCA, { publicKey: serverKey, commonName: 'localhost', ipAddresses: ['127.0.0.1'], notAfter: new Date(Date.now() + 3600_000) });
  writeFileSync(join(dir, 'server-ca.pem'), serverCA.cert.pem);
  // Answers with the CN of the client certificate it verified: proof of which identity was presented.
  server = createServer({ cert: serverCert.pem, key: privateKeyPem(serverKey), ca: pki.userCA.cert.pem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    res.end((req.socket as TLSSocket).getPeerCertificate().subject.CN);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
});

beforeEach(() => {
  seq++;
  files = { certFile: join(dir, `${seq}.crt`), keyFile: join(dir, `${seq}.key`) };
  source = { kind: 'explicit', ...files, caFiles: [join(dir, 'server-ca.pem')] };
});

afterEach(async () => {
  // Upstreams before their watchers, as connect does.
  for (const c of closing.splice(0)) await c.close();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function writeIdentityFiles(which: TestIdentity = identity): void {
  writeFileSync(files.certFile, which.certPem);
  writeFileSync(files.keyFile, which.keyPem, { mode: 0o600 });
}

async function startUpstream(reads: 'polling' | 'on-demand'): Promise<{ watcher: CredentialWatcher; upstream: Upstream }> {
  const timing = reads === 'polling' ? { pollIntervalMs: 20, debounceMs: 10 } : { pollIntervalMs: 600_000, debounceMs: 600_000 };
  // As connect makes it (it watches a second after the first read; here at once): read when ready() first asks.
  const watcher = new CredentialWatcher(source, { logger: silentLogger, ...timing, watchAfterFirstUseMs: 0 });
  const upstream = createDirectUpstream({ url, headers: {}, identity: watcher, extraCAs: [], insecure: false, logger: silentLogger });
  closing.push(upstream, watcher);
  return { watcher, upstream };
}

async function presentedName(upstream: Upstream): Promise<string> {
  const res = await upstream.dispatcher().request({ method: 'GET', path: url.pathname });
  return res.body.text();
}

test('ready() rejects with IDENTITY_UNREADABLE while the key is missing, then resolves once it is written and requests present that certificate', async () => {
  writeFileSync(files.certFile, identity.certPem);
  const { upstream } = await startUpstream('on-demand');
  const err: unknown = await upstream.ready().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BridgeError);
  expect((err as BridgeError).tag).toBe('IDENTITY_UNREADABLE');
  // Asked again, it reads again: still the same reason, not a cached success or a different error.
  expect(((await upstream.ready().catch((e: unknown) => e)) as BridgeError).tag).toBe('IDENTITY_UNREADABLE');
  expect(() => upstream.dispatcher()).toThrow(BridgeError);

  writeIdentityFiles();
  await upstream.ready();
  expect(await presentedName(upstream)).toBe('bot-agent');
});

test("the watcher's own first good read builds the pool: ready() then resolves at once", async () => {
  const { watcher, upstream } = await startUpstream('polling');
  await expect(upstream.ready()).rejects.toBeInstanceOf(BridgeError);
  const first = new Promise<void>((resolve) => watcher.once('generation', () => resolve()));
  writeIdentityFiles();
  await first;
  expect(await presentedName(upstream)).toBe('bot-agent'); // dispatcher() works before any ready() succeeded
  await upstream.ready();
});

test('ready() rejects with IDENTITY_EXPIRED for an expired certificate instead of presenting it, and recovers when renewed files appear', async () => {
  writeIdentityFiles(expiredIdentity);
  const { upstream } = await startUpstream('on-demand');
  const err: unknown = await upstream.ready().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BridgeError);
  expect((err as BridgeError).tag).toBe('IDENTITY_EXPIRED');
  expect((err as BridgeError).message).toContain(files.certFile);
  writeIdentityFiles();
  await upstream.ready();
  expect(await presentedName(upstream)).toBe('bot-agent');
});
