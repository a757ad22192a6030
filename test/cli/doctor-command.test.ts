import { MCP_APP, startTestbed, type Testbed } from '../doctor/support/testbed';

let bed: Testbed;
let reissuable: string;

beforeAll(async () => {
  bed = await startTestbed();
  reissuable = await bed.identity({ allowReissue: true });
});
afterAll(() => bed?.close());

interface JsonCheck {
  id: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  tag?: string;
  fix?: string;
}

async function doctorJson(...args: string[]): Promise<{ code: number; ok: boolean; checks: Record<string, JsonCheck>; stderr: string }> {
  const { code, stdout, stderr } = await bed.cli('doctor', ...args, ...bed.proxyArgs(), '--json');
  const report = JSON.parse(stdout) as { ok: boolean; checks: JsonCheck[] };
  return { code, ok: report.ok, checks: Object.fromEntries(report.checks.map((c) => [c.id, c])), stderr };
}

const statuses = (checks: Record<string, JsonCheck>) => Object.fromEntries(Object.values(checks).map((c) => [c.id, c.status]));

describe('mcp-bridge doctor', () => {
  it('is all green for an allow_reissue identity, down to an MCP initialize and tools/list through Teleport', async () => {
    const before = bed.demo.stats.sessionsOpened;
    const { code, ok, checks } = await doctorJson(MCP_APP, '-i', reissuable);
    expect(statuses(checks)).toEqual({
      identity: 'pass', validity: 'pass', renewal: 'pass', reissue: 'pass', proxy: 'pass', auth: 'pass', app: 'pass', 'app-cert': 'pass', mcp: 'pass', cache: 'pass',
    });
    expect(ok).toBe(true);
    expect(code).toBe(0);
    expect(checks.proxy!.detail).toContain(`cluster "${bed.cluster.clusterName}", Teleport 18.3.0, TLS routing on, suite balanced-v1`);
    expect(checks.proxy!.detail).toContain('SSE line limit of Teleport 18.3.0 not known (64 KiB, 1 MiB or 10 MiB');
    expect(checks['app-cert']!.detail).toMatch(/^issued by the Auth Service/);
    expect(checks.mcp!.detail).toMatch(/^server "mcp-bridge-demo" \S+ \(protocol [\d-]+\), \d+ tools, initialize took \d+ ms$/);
    expect(bed.demo.stats.sessionsOpened).toBe(before + 1); // the round trip really reached the MCP server
  });

  it('prints a ✓ line per step and exits 0 without an app, stopping after the Auth Service', async () => {
    const { code, stdout } = await bed.cli('doctor', '-i', reissuable, ...bed.proxyArgs());
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.slice(0, -2).map((l) => l.slice(0, 2))).toEqual(['✓ ', '✓ ', '✓ ', '✓ ', '✓ ', '✓ ', '✓ ']);
    expect(lines.at(-1)).toBe('7 passed, 0 warnings, 0 failed, 0 skipped');
  });

  it('fails the reissue step of a disallow-reissue identity with the allow_reissue fix, skips what depends on it, and exits 1', async () => {
    const denied = await bed.identity({ allowReissue: false });
    const { code, stdout } = await bed.cli('doctor', MCP_APP, '-i', denied, ...bed.proxyArgs());
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    const reissue = lines.findIndex((l) => l.startsWith('✗ Reissue allowed'));
    expect(reissue).toBeGreaterThan(0);
    expect(lines[reissue + 1]).toMatch(/^\s+fix \(MCP_BRIDGE_REISSUE_DENIED\): Set `allow_reissue: true` on tbot's identity service/);
    expect(lines.filter((l) => l.startsWith('- '))).toEqual([
      expect.stringMatching(/^- App certificate\s+skipped: "Reissue allowed" did not pass$/),
      expect.stringMatching(/^- MCP round trip\s+skipped: "App certificate" did not pass$/),
    ]);
    expect(stdout).not.toMatch(/BEGIN|PRIVATE KEY/);
  });

  it('needs no reissue for a tbot application output of the app, and reaches the server with it', async () => {
    const appOutput = await bed.identity({ app: MCP_APP });
    const { code, checks } = await doctorJson(MCP_APP, '-i', appOutput);
    expect(code).toBe(0);
    expect(checks.reissue!.detail).toContain(`application output for "${MCP_APP}"`);
    expect(checks['app-cert']!.detail).toContain('the identity itself routes to the app');
    expect(checks.mcp!.status).toBe('pass');
  });

  it('fails an expired identity with IDENTITY_EXPIRED and skips every step that would present it', async () => {
    const expired = await bed.identity({ allowReissue: true, ttlMs: -30_000 });
    const { code, ok, checks } = await doctorJson(MCP_APP, '-i', expired);
    expect(code).toBe(1);
    expect(ok).toBe(false);
    expect(checks.validity).toMatchObject({ status: 'fail', tag: 'MCP_BRIDGE_IDENTITY_EXPIRED' });
    expect(checks.validity!.detail).toMatch(/^expired \S+ ago/);
    expect(checks.proxy!.status).toBe('pass');
    expect([checks.auth, checks.app, checks['app-cert'], checks.mcp].map((c) => c!.status)).toEqual(['skip', 'skip', 'skip', 'skip']);
  });

  it('fails an unknown app with APP_NOT_FOUND and its fix', async () => {
    const { code, checks } = await doctorJson('no-such-app', '-i', reissuable);
    expect(code).toBe(1);
    expect(checks.auth!.status).toBe('pass');
    expect(checks.app).toMatchObject({ status: 'fail', tag: 'MCP_BRIDGE_APP_NOT_FOUND' });
    expect(checks.app!.detail).toContain('"no-such-app"');
    expect(checks.app!.fix).toContain('mcp-bridge ls');
    expect(checks.mcp!.status).toBe('skip');
  });

  it('fails the proxy step with TLS_VERIFY_FAILED when the proxy certificate is not trusted', async () => {
    const { code, stdout } = await bed.cli('doctor', MCP_APP, '-i', reissuable, '--proxy', bed.cluster.proxyAddr, '--json');
    const checks = Object.fromEntries((JSON.parse(stdout).checks as JsonCheck[]).map((c) => [c.id, c]));
    expect(code).toBe(1);
    expect(checks.proxy).toMatchObject({ status: 'fail', tag: 'MCP_BRIDGE_TLS_VERIFY_FAILED' });
    expect(checks.auth!.status).toBe('skip');
  });

  it('exits 2 with CONFIG_INVALID when no identity is given', async () => {
    const { code, stdout, stderr } = await bed.cli('doctor', MCP_APP, ...bed.proxyArgs());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('MCP_BRIDGE_CONFIG_INVALID');
  });
});
