import { createLogger } from '../../src/log/logger';
import { createTeleportUpstream } from '../../src/teleport/app-upstream';
import type { Upstream } from '../../src/upstream/types';
import { mcpApp, ROLES, startHarness, type Harness } from './harness';
import { startJsonRpcEndpoint, type JsonRpcEndpoint } from './json-rpc-endpoint';

/** The role's max_session_ttl: app certificates last 2–3 s (X.509 NotAfter has whole seconds). */
const MAX_SESSION_TTL_MS = 3_000;
/** Refreshes to sit through, each one replacing the certificate in use. */
const REFRESHES = 3;

let mcp: JsonRpcEndpoint;
let h: Harness;
/** Each installed app certificate, with the local time it was installed. */
const installs: { generation: number; notAfter: number; installedAt: number }[] = [];
const warnings: string[] = [];
const logger = createLogger({
  level: 'info',
  format: 'json',
  sink: (line) => {
    const entry = JSON.parse(line) as { msg: string; level: string; generation?: number; notAfter?: string };
    if (entry.msg === 'app certificate in use') installs.push({ generation: entry.generation!, notAfter: Date.parse(entry.notAfter!), installedAt: Date.now() });
    if (entry.level === 'warn') warnings.push(entry.msg);
  },
});

beforeAll(async () => {
  mcp = await startJsonRpcEndpoint((_request, reply) => reply({}));
  h = await startHarness({
    apps: [mcpApp('everything', mcp.uri)],
    roles: [...ROLES, { name: 'short-sessions', appLabels: {}, maxSessionTtlMs: MAX_SESSION_TTL_MS }],
  });
});

afterAll(async () => {
  await h.close();
  await mcp.close();
});

async function post(u: Upstream, id: number): Promise<number> {
  try {
    const res = await u.dispatcher().request({
      origin: u.url.origin,
      path: '/',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }),
    });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0; // refused at the TLS layer
  }
}

test('an app certificate capped by max_session_ttl is reissued before its NotAfter without a new identity generation, and no request fails', async () => {
  // The identity lasts an hour and tbot does not renew it during the test: only the refresh timer can help.
  const bot = await h.bot({ name: 'steady', roles: ['mcp-all', 'short-sessions'], allowReissue: true });
  const identityNotAfter = bot.watcher.current().identity.notAfter.getTime();
  h.cluster.recorder.clear();
  const u = createTeleportUpstream({ proxy: h.cluster.proxyAddr, app: 'everything', identity: bot.watcher, extraCAs: [h.cluster.cas.public.cert.pem], insecure: false, headers: {}, logger });
  try {
    await u.ready();
    expect(installs[0]!.notAfter).toBeLessThan(identityNotAfter - 60_000); // the role cap, not the identity, ends it

    // Two clients keep requests going across the refreshes; no recover() is called, so a stale certificate shows
    // as a refusal (and ends the load instead of waiting for refreshes that never come).
    const statuses: number[] = [];
    let id = 0;
    const load = async () => {
      while (installs.length <= REFRESHES && !statuses.some((s) => s !== 200)) statuses.push(await post(u, ++id));
    };
    await Promise.all([load(), load()]);

    expect(statuses.length).toBeGreaterThan(REFRESHES);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    for (let i = 1; i < installs.length; i++) {
      expect(installs[i]!.generation).toBe(1);
      expect(installs[i]!.installedAt).toBeLessThan(installs[i - 1]!.notAfter);
      expect(installs[i]!.notAfter).toBeGreaterThan(installs[i - 1]!.notAfter);
    }
    expect(bot.watcher.current().generation).toBe(1);
    expect(warnings).toEqual([]);

    // The cluster saw one GenerateUserCerts per certificate, all by the same identity, and requests with each of them.
    const issued = h.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts');
    expect(issued).toHaveLength(installs.length);
    expect(issued.every((r) => r.code === 0 && r.caller === 'bot-steady')).toBe(true);
    const requests = h.cluster.recorder.appRequests;
    expect(requests.every((r) => r.status === 200 && r.forwarded)).toBe(true);
    expect(new Set(requests.map((r) => r.certSerial)).size).toBeGreaterThanOrEqual(REFRESHES);
  } finally {
    await u.close();
  }
});
