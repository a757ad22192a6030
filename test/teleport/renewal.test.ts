import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, issueIdentityCert } from '../../fixtures/pki';
import { createLogger } from '../../src/log/logger';
import { createTeleportUpstream } from '../../src/teleport/app-upstream';
import type { RecoveryVerdict, Upstream } from '../../src/upstream/types';
import { until } from '../support/until';
import { mcpApp, startHarness, type Harness } from './harness';
import { startJsonRpcEndpoint, type JsonRpcEndpoint } from './json-rpc-endpoint';

/** A minimal MCP endpoint answering every JSON-RPC request with a result. */
let mcp: JsonRpcEndpoint;
let h: Harness;
let lines: string[] = [];
/** Called for each log line of the upstream under test, before it is stored. */
let onLine: (line: string) => void = () => undefined;
const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => (onLine(line), void lines.push(line)) });
const open: Upstream[] = [];

beforeAll(async () => {
  mcp = await startJsonRpcEndpoint((_request, reply) => reply({}));
  h = await startHarness({ apps: [mcpApp('everything', mcp.uri)] });
});

afterAll(async () => {
  await h.close();
  await mcp.close();
});

afterEach(async () => {
  for (const u of open.splice(0)) await u.close();
  lines = [];
  onLine = () => undefined;
});

async function upstreamFor(bot: Awaited<ReturnType<Harness['bot']>>): Promise<Upstream> {
  const u = createTeleportUpstream({ proxy: h.cluster.proxyAddr, app: 'everything', identity: bot.watcher, extraCAs: [h.cluster.cas.public.cert.pem], insecure: false, headers: {}, logger });
  open.push(u);
  await u.ready();
  return u;
}

async function post(u: Upstream): Promise<number> {
  try {
    const res = await u.dispatcher().request({ origin: u.url.origin, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0; // refused at the TLS layer
  }
}

const installs = () => lines.filter((l) => l.includes('app certificate in use')).map((l) => JSON.parse(l) as { generation: number; notAfter: string });

test('a new generation racing a session expiry: a refusal reissues again instead of trusting the just-issued certificate', async () => {
  const bot = await h.bot({ name: 'racer', roles: ['mcp-all'], allowReissue: true });
  const u = await upstreamFor(bot);
  let recovered: Promise<RecoveryVerdict> | undefined;
  // Right after the new generation's certificate is issued (its app session exists) and before it is installed,
  // every session ends and a request is refused: the refusal must not be healed by that certificate.
  onLine = (line) => {
    if (recovered || !line.includes('app certificate issued') || !line.includes('"generation":2')) return;
    h.cluster.control.expireAppSessions();
    recovered = u.recoverFrom({ kind: 'status', status: 403, body: 'invalid session', headers: {} });
  };
  await bot.tbot.renewNow();
  await until(() => recovered !== undefined);
  await expect(recovered).resolves.toMatchObject({ action: 'retry' });
  expect(await post(u)).toBe(200);
});

test('an identity tbot stopped renewing: the app certificate ends with it, a warning says so, and a late renewal recovers without a restart', async () => {
  const bot = await h.bot({ name: 'stalled', roles: ['mcp-all'], allowReissue: true, ttlMs: 3_000 });
  const u = await upstreamFor(bot);
  const identityNotAfter = bot.watcher.current().identity.notAfter.getTime();
  expect(new Date(installs()[0]!.notAfter).getTime()).toBeLessThanOrEqual(identityNotAfter);
  await until(() => lines.some((l) => l.includes('tbot has not renewed the identity')));
  await until(() => Date.now() > identityNotAfter + 100);
  expect(await post(u)).not.toBe(200); // the proxy refuses the expired certificate
  await bot.tbot.renewNow();
  await until(() => installs().length === 2);
  expect(await post(u)).toBe(200);
});

test('torn identity files mid-session (empty, cut-off PEM, new certificate with the old key, garbage) keep the last good credentials; the next good generation is taken up', async () => {
  const bot = await h.bot({ name: 'torn', roles: ['mcp-all'], allowReissue: true });
  const u = await upstreamFor(bot);
  const file = join(bot.tbot.outDir, 'identity');
  const good = await readFile(file, 'utf8');
  const [keyBlock] = good.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----\n/)!;
  const otherCert = await issueIdentityCert(h.cluster.cas.user, {
    publicKey: await generateKeyPair('p256'),
    identity: { username: 'bot-torn', roles: ['mcp-all'] },
    notAfter: new Date(Date.now() + 3600_000),
  });
  const torn = {
    empty: '',
    'cut-off PEM': good.slice(0, Math.floor(good.length / 2)),
    'new certificate, old key': good.replace(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/, otherCert.pem),
    garbage: 'not an identity \u0000\u0001 at all\n',
    'key only': keyBlock,
  };
  const generation = bot.watcher.current().generation;
  for (const [state, content] of Object.entries(torn)) {
    await writeFile(file, content);
    await sleep(300); // several watcher polls (100 ms) and debounce windows
    expect({ state, generation: bot.watcher.current().generation }).toEqual({ state, generation });
    expect({ state, status: await post(u) }).toEqual({ state, status: 200 });
  }
  await bot.tbot.renewNow();
  await until(() => installs().length === 2);
  expect(bot.watcher.current().generation).toBeGreaterThan(generation);
  expect(await post(u)).toBe(200);
});
