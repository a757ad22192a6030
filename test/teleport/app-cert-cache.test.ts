import { chmod, chown, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheStore } from '../../src/cache';
import type { CredentialWatcher } from '../../src/identity';
import { createLogger, silentLogger } from '../../src/log/logger';
import type { AppCert } from '../../src/teleport/app-cert';
import { AppCertCache, listCachedAppCerts } from '../../src/teleport/app-cert-cache';
import { createTeleportUpstream } from '../../src/teleport/app-upstream';
import type { Upstream } from '../../src/upstream/types';
import type { Tbot } from '../../fixtures/tbot';
import { generateKeyPair, issueIdentityCert, keyAlgorithmForSuite, privateKeyPem } from '../../fixtures/pki';
import { until } from '../support/until';
import { mcpApp, startHarness, type Harness } from './harness';
import { startJsonRpcEndpoint, type JsonRpcEndpoint } from './json-rpc-endpoint';

/**
 * Upstreams sharing one cache directory stand for bridge processes of one user (each process has its own upstream;
 * test/cli/connect-shared-cache.test.ts runs real processes). The cluster counts GenerateUserCerts.
 */
let mcp: JsonRpcEndpoint;
let h: Harness;
let bot: { tbot: Tbot; watcher: CredentialWatcher };
let cacheDir: string;
let lines: string[] = [];
const open: Upstream[] = [];

beforeAll(async () => {
  mcp = await startJsonRpcEndpoint((request, reply) => reply({ echo: request.params ?? null }));
  h = await startHarness({ apps: [mcpApp('everything', mcp.uri)] });
  bot = await h.bot({ name: 'cached', roles: ['mcp-all'], allowReissue: true });
});

afterAll(async () => {
  await h.close();
  await mcp.close();
});

beforeEach(async () => {
  cacheDir = join(await mkdtemp(join(tmpdir(), 'app-cert-cache-')), 'mcp-bridge');
});

afterEach(async () => {
  for (const u of open.splice(0)) await u.close();
  lines = [];
  h.cluster.recorder.clear();
  await rm(join(cacheDir, '..'), { recursive: true, force: true });
});

const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => void lines.push(line) });
const store = () => new CacheStore(cacheDir, silentLogger);

/** A bridge process's upstream: its own objects, sharing only the cache directory. */
function processUpstream(): Upstream {
  const u = createTeleportUpstream({
    proxy: h.cluster.proxyAddr,
    app: 'everything',
    identity: bot.watcher,
    extraCAs: [h.cluster.cas.public.cert.pem],
    insecure: false,
    headers: {},
    logger,
    cache: new CacheStore(cacheDir, logger),
  });
  open.push(u);
  return u;
}

let nextId = 1;
async function post(u: Upstream): Promise<number> {
  const res = await u.dispatcher().request({
    origin: u.url.origin,
    path: u.url.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'echo', params: {} }),
  });
  await res.body.text();
  return res.statusCode;
}

const issued = () => h.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;
const sessionsUsed = () => new Set(h.cluster.recorder.appRequests.filter((r) => r.status === 200).map((r) => r.sessionId));
const installsOf = (generation: number) => lines.filter((l) => l.includes('app certificate in use') && JSON.parse(l).generation === generation).length;
const entryFile = async () => join(cacheDir, (await readdir(cacheDir)).find((f) => f.startsWith('app-cert-'))!);

test('upstreams starting together make one GenerateUserCerts and use the same app session', async () => {
  const upstreams = Array.from({ length: 8 }, processUpstream);
  await Promise.all(upstreams.map((u) => u.ready()));
  expect(issued()).toBe(1);
  expect(await Promise.all(upstreams.map(post))).toEqual(Array(8).fill(200));
  expect(sessionsUsed().size).toBe(1);
  // Three files: the certificate, the ping and the app lookup; no lock or temporary file left behind.
  expect((await readdir(cacheDir)).map((f) => f.replace(/-[0-9a-f]{40}\.json$/, '')).sort()).toEqual(['app', 'app-cert', 'proxy']);
  expect(lines.filter((l) => l.includes('app certificate from the cache'))).toHaveLength(7);
});

test('a renewed identity invalidates the cache: one new certificate for the new generation, the old entry removed', async () => {
  const [a, b] = [processUpstream(), processUpstream()];
  await Promise.all([a.ready(), b.ready()]);
  const first = bot.watcher.current();
  expect((await listCachedAppCerts(store())).map((c) => c.identityFingerprint)).toEqual([first.fingerprint]);
  await bot.tbot.renewNow();
  await until(() => installsOf(first.generation + 1) === 2); // both renew ahead of need, one of them issues
  const c = processUpstream(); // a process started after the renewal
  await c.ready();
  expect(issued()).toBe(2);
  const cached = await listCachedAppCerts(store());
  expect(cached.map((e) => e.identityFingerprint)).toEqual([bot.watcher.current().fingerprint]);
  expect(cached[0]).toMatchObject({ app: 'everything', user: 'bot-cached', cluster: h.cluster.clusterName, proxy: h.cluster.proxyAddr });
  expect(await Promise.all([a, b, c].map(post))).toEqual([200, 200, 200]);
});

test('a certificate the proxy refused is replaced once: the other processes take the replacement from the cache', async () => {
  const [a, b] = [processUpstream(), processUpstream()];
  await Promise.all([a.ready(), b.ready()]);
  h.cluster.control.expireAppSessions();
  const refusal = { kind: 'status' as const, status: 403, body: 'invalid session', headers: {} };
  expect(await a.recoverFrom(refusal)).toMatchObject({ action: 'retry' });
  expect(await b.recoverFrom(refusal)).toMatchObject({ action: 'retry' });
  expect(issued()).toBe(2);
  expect(await Promise.all([a, b].map(post))).toEqual([200, 200]);
});

test("a moved app is followed once: the process that looks it up again leaves the new address and certificate for the next", async () => {
  const a = processUpstream();
  await a.ready();
  h.cluster.control.setAppPublicAddr('everything', 'moved.mcp-bridge.test');
  try {
    expect(await post(a)).toBe(403);
    expect(await a.recoverFrom({ kind: 'status', status: 403, body: 'invalid session', headers: {} })).toMatchObject({ action: 'retry' });
    expect(await post(a)).toBe(200);
    const lookups = () => h.cluster.recorder.rpcs.filter((r) => r.method === 'ListResources').length;
    const [issuedBefore, lookupsBefore] = [issued(), lookups()];
    const b = processUpstream(); // started after the move: cache only, no lookup, no issuance, the new route
    await b.ready();
    expect(await post(b)).toBe(200);
    expect([issued(), lookups()]).toEqual([issuedBefore, lookupsBefore]);
    expect(h.cluster.sessions.get(h.cluster.recorder.appRequests.at(-1)!.sessionId!)?.publicAddr).toBe('moved.mcp-bridge.test');
  } finally {
    h.cluster.control.setAppPublicAddr('everything', 'everything.mcp-bridge.test');
  }
});

describe('an entry that was tampered with or is not private is ignored: the next process issues and replaces it', () => {
  const spoilers: [string, (file: string) => Promise<void>][] = [
    ['a certificate byte changed', async (file) => {
      const entry = JSON.parse(await readFile(file, 'utf8'));
      const pem: string = entry.data.certPem;
      const at = pem.indexOf('\n', 40) + 20;
      entry.data.certPem = pem.slice(0, at) + (pem[at] === 'A' ? 'B' : 'A') + pem.slice(at + 1);
      await writeFile(file, JSON.stringify(entry));
    }],
    ['the key swapped for another', async (file) => {
      const entry = JSON.parse(await readFile(file, 'utf8'));
      entry.data.keyPem = privateKeyPem(await generateKeyPair(keyAlgorithmForSuite(h.cluster.suite)));
      await writeFile(file, JSON.stringify(entry));
    }],
    ['relabelled for another app', async (file) => {
      const entry = JSON.parse(await readFile(file, 'utf8'));
      entry.data.app = 'other';
      await writeFile(file, JSON.stringify(entry));
    }],
    ['truncated', async (file) => writeFile(file, (await readFile(file, 'utf8')).slice(0, 300))],
    ['owned by another user', (file) => chown(file, 4321, 4321)],
    ['group-readable', (file) => chmod(file, 0o640)],
  ];
  test.each(spoilers)('%s', async (_, spoil) => {
    await processUpstream().ready();
    await spoil(await entryFile());
    const next = processUpstream();
    await next.ready();
    expect(issued()).toBe(2);
    expect(await post(next)).toBe(200);
    const s = await stat(await entryFile());
    expect([s.uid, s.mode & 0o777]).toEqual([process.getuid!(), 0o600]);
    expect(lines.some((l) => l.includes('not using the cached app certificate') || l.includes('ignoring a cache entry'))).toBe(true);
  });
});

test("the cache never keeps a certificate past its identity's validity, even one the cluster issued for longer", async () => {
  const creds = bot.watcher.current();
  const app = h.cluster.apps.find((a) => a.name === 'everything')!;
  const session = h.cluster.sessions.create({ username: creds.identity.username, roles: ['mcp-all'], appName: app.name, publicAddr: app.publicAddr, clusterName: h.cluster.clusterName, expires: new Date(Date.now() + 7200_000) });
  const key = await generateKeyPair(keyAlgorithmForSuite(h.cluster.suite));
  const longLived = await issueIdentityCert(h.cluster.cas.user, {
    publicKey: key,
    identity: { username: creds.identity.username, roles: ['mcp-all'], app: { name: app.name, publicAddr: app.publicAddr, clusterName: h.cluster.clusterName, sessionId: session.id } },
    notAfter: new Date(creds.identity.notAfter.getTime() + 3600_000),
  });
  const cert: AppCert = { certPem: longLived.pem, keyPem: privateKeyPem(key), notAfter: new Date(creds.identity.notAfter.getTime() + 3600_000), origin: 'issued', generation: creds.generation };
  const cache = new AppCertCache(store(), silentLogger);
  const keyOf = { proxy: h.cluster.proxyAddr, cluster: h.cluster.clusterName, app: app.name, credentials: creds };
  await cache.obtain(keyOf, async () => cert);
  const entry = JSON.parse(await readFile(await entryFile(), 'utf8'));
  expect(new Date(entry.expiresAt).getTime()).toBe(creds.identity.notAfter.getTime());
  // Past the identity's NotAfter the entry is gone for every reader, and a sweep deletes the file.
  const afterIdentity = new Date(creds.identity.notAfter.getTime() + 1000);
  expect(await store().list('app-cert', afterIdentity)).toEqual([]);
  expect(await readdir(cacheDir).then((files) => files.filter((f) => f.startsWith('app-cert-')))).toEqual([]);
});

test('with no usable cache directory every process issues for itself and works', async () => {
  await rm(join(cacheDir, '..'), { recursive: true, force: true });
  await writeFile(join(cacheDir, '..'), 'not a directory');
  const [a, b] = [processUpstream(), processUpstream()];
  await Promise.all([a.ready(), b.ready()]);
  expect(issued()).toBe(2);
  expect(await Promise.all([a, b].map(post))).toEqual([200, 200]);
});
