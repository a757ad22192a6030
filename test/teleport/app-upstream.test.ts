import { createLogger } from '../../src/log/logger';
import { createTeleportUpstream } from '../../src/teleport/app-upstream';
import type { Upstream } from '../../src/upstream/types';
import type { Tbot } from '../../fixtures/tbot';
import type { CredentialWatcher } from '../../src/identity';
import { until } from '../support/until';
import { mcpApp, startHarness, type Harness } from './harness';
import { startJsonRpcEndpoint, type JsonRpcEndpoint } from './json-rpc-endpoint';

/** A minimal MCP endpoint: answers each JSON-RPC request with its params; method "slow" waits for release(). */
let mcp: JsonRpcEndpoint;
let held: (() => void)[] = [];
let h: Harness;
let bot: { tbot: Tbot; watcher: CredentialWatcher };

beforeAll(async () => {
  mcp = await startJsonRpcEndpoint((request, reply) => {
    const answer = () => reply({ echo: request.params ?? null });
    if (request.method === 'slow') held.push(answer);
    else answer();
  });
  h = await startHarness({ apps: [mcpApp('everything', mcp.uri)] });
  bot = await h.bot({ name: 'agent', roles: ['mcp-all'], allowReissue: true });
});

afterAll(async () => {
  await h.close();
  await mcp.close();
});

const open: Upstream[] = [];
/** Log lines of the upstream under test: 'app certificate in use' marks each pool rotation. */
let lines: string[] = [];
const logger = createLogger({ level: 'info', format: 'json', sink: (line) => void lines.push(line) });
const installs = () => lines.filter((l) => l.includes('app certificate in use')).map((l) => JSON.parse(l) as { generation: number });

afterEach(async () => {
  for (const u of open.splice(0)) await u.close();
  lines = [];
  h.cluster.recorder.clear();
});

function upstream(extraCAs = [h.cluster.cas.public.cert.pem]): Upstream {
  const u = createTeleportUpstream({ proxy: h.cluster.proxyAddr, app: 'everything', identity: bot.watcher, extraCAs, insecure: false, headers: {}, logger });
  open.push(u);
  return u;
}

let nextId = 1;
async function post(u: Upstream, method = 'echo'): Promise<{ status: number; text: string }> {
  const res = await u.dispatcher().request({
    origin: u.url.origin,
    path: u.url.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...u.headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params: { n: nextId } }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const generateCalls = () => h.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;
const sessionsUsed = () => new Set(h.cluster.recorder.appRequests.filter((r) => r.status === 200).map((r) => r.sessionId));

describe('Teleport upstream', () => {
  it('relays app traffic to https://<proxy>/ with an app certificate and declares no server→client requests', async () => {
    const u = upstream();
    await u.ready();
    expect(u.url.href).toBe(`https://${h.cluster.proxyAddr}/`);
    expect(u.carriesServerRequests).toBe(false);
    const res = await post(u);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).result.echo).toBeDefined();
    expect(h.cluster.recorder.appRequests[0]).toMatchObject({ username: 'bot-agent', appName: 'everything', forwarded: true });
  });

  it('refuses a proxy whose web certificate is not trusted (no --ca) with TLS_VERIFY_FAILED', async () => {
    await expect(upstream([]).ready()).rejects.toMatchObject({ tag: 'TLS_VERIFY_FAILED' });
  });

  it('rotates to a new app certificate on a new tbot generation while requests are in flight, failing none', async () => {
    const u = upstream();
    await u.ready();
    const inFlight = [post(u, 'slow'), post(u, 'slow'), post(u, 'slow')];
    await until(() => held.length === 3);
    const first = installs()[0]!.generation;
    await bot.tbot.renewNow();
    await until(() => installs().some((i) => i.generation > first));
    const after = await post(u); // the new certificate: a new app session
    expect(after.status).toBe(200);
    for (const answer of held.splice(0)) answer();
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(sessionsUsed().size).toBe(2);
  });

  it('recovers from expired app sessions with one shared reissue, then succeeds', async () => {
    const u = upstream();
    await u.ready();
    h.cluster.control.expireAppSessions();
    const refused = await post(u);
    expect(refused).toEqual({ status: 403, text: expect.stringContaining('invalid session') });
    const before = generateCalls();
    const failure = { kind: 'status' as const, status: 403, body: refused.text, headers: {} };
    await expect(Promise.all([u.recoverFrom(failure), u.recoverFrom(failure)])).resolves.toEqual([expect.objectContaining({ action: 'retry' }), expect.objectContaining({ action: 'retry' })]);
    expect(generateCalls()).toBe(before + 1);
    expect((await post(u)).status).toBe(200);
  });

  it('an unreachable App Service: one reissue, then `resend` verdicts naming it, no reissue storm; a retry once it is back', async () => {
    const u = upstream();
    await u.ready();
    expect((await post(u)).status).toBe(200); // the proxy now has this session cached
    h.cluster.control.setAppServiceReachable(false);
    try {
      const cached = await post(u);
      expect(cached).toEqual({ status: 500, text: 'Internal Server Error\n' });
      const before = generateCalls();
      const verdict = await u.recoverFrom({ kind: 'status', status: 500, body: cached.text, headers: {} });
      expect(verdict).toMatchObject({ action: 'resend', error: { tag: 'APP_SERVICE_UNREACHABLE' } });
      expect(generateCalls()).toBe(before + 1); // the one reissue of the episode: its fresh session was refused
      const fresh = await post(u);
      expect(fresh.status).toBe(403);
      const failure = { kind: 'status' as const, status: 403, body: fresh.text, headers: {} };
      const storm = await Promise.all(Array.from({ length: 20 }, () => u.recoverFrom(failure)));
      for (let i = 0; i < 20; i++) storm.push(await u.recoverFrom(failure));
      expect(storm.every((v) => v.action === 'resend')).toBe(true);
      
      expect(generateCalls()).toBe(before + 1);
    } finally {
      h.cluster.control.setAppServiceReachable(true);
    }
    expect(await u.recoverFrom({ kind: 'status', status: 403, body: 'invalid session\n', headers: {} })).toMatchObject({ action: 'retry' });
    expect((await post(u)).status).toBe(200);
  });

  it("follows the app's new public address: the app is looked up again when a fresh session is refused", async () => {
    const u = upstream();
    await u.ready();
    expect((await post(u)).status).toBe(200);
    h.cluster.control.setAppPublicAddr('everything', 'moved.mcp-bridge.test');
    try {
      const refused = await post(u);
      expect(refused.status).toBe(403);
      const lookupsBefore = h.cluster.recorder.rpcs.filter((r) => r.method === 'ListResources').length;
      expect(await u.recoverFrom({ kind: 'status', status: 403, body: refused.text, headers: {} })).toMatchObject({ action: 'retry' });
      expect(h.cluster.recorder.rpcs.filter((r) => r.method === 'ListResources').length).toBe(lookupsBefore + 1);
      expect((await post(u)).status).toBe(200);
      const routed = h.cluster.recorder.appRequests.at(-1)!;
      expect(h.cluster.sessions.get(routed.sessionId!)?.publicAddr).toBe('moved.mcp-bridge.test');
    } finally {
      h.cluster.control.setAppPublicAddr('everything', 'everything.mcp-bridge.test');
    }
  });

  it('leaves failures that new credentials cannot fix to the caller', async () => {
    const u = upstream();
    await u.ready();
    // The MCP server's own 403 (marked by the App Service): not the app session's.
    await expect(u.recoverFrom({ kind: 'status', status: 403, body: 'forbidden', headers: { 'x-teleport-mcp-error-origin': 'upstream' } })).resolves.toEqual({ action: 'not-mine' });
    await expect(u.recoverFrom({ kind: 'status', status: 502, body: 'bad gateway', headers: {} })).resolves.toEqual({ action: 'not-mine' });
  });
});
