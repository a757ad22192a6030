import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { combinedIdentityText, createTestPki, issueTestIdentity, botSpec, writeTbotDirectory, type TestIdentity, type TestPki } from '../identity/tbot-output';

const repo = resolve(__dirname, '../..');
const bin = join(repo, 'bin/mcp-bridge');
const IDENTITY_ENV = ['TELEPORT_IDENTITY_FILE', 'MCP_BRIDGE_IDENTITY', 'MCP_BRIDGE_CERT', 'MCP_BRIDGE_KEY', 'MCP_BRIDGE_CA'];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with only the identity variables given here (none inherited from the test's environment). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !IDENTITY_ENV.includes(k)));
  return new Promise((done) => {
    execFile(process.execPath, [bin, 'identity', ...args], { env: { ...base, ...env } }, (err, stdout, stderr) => {
      done({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

let root: string;
let pki: TestPki;
let valid: TestIdentity;
let seq = 0;
const fresh = () => join(root, `case-${++seq}`);

function tbotDir(id: TestIdentity, options: { combined?: boolean } = {}): string {
  const dir = fresh();
  writeTbotDirectory(dir, id, options);
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'identity-cli-'));
  pki = await createTestPki('p256', 'prod.example.com');
  valid = await issueTestIdentity(pki);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mcp-bridge identity', () => {
  test('a valid tbot directory is described for people, with the reissue fix, and exits 0', async () => {
    const dir = tbotDir(valid);
    const r = await cli(['-i', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^User\s+bot-agent$/m);
    expect(r.stdout).toMatch(/^Bot\s+agent \(instance 8c3a1d2e-5f4b-4c6d-9e7f-0a1b2c3d4e5f\)$/m);
    expect(r.stdout).toMatch(/^Roles\s+bot-agent, mcp-user$/m);
    expect(r.stdout).toMatch(/^Cluster\s+prod\.example\.com$/m);
    expect(r.stdout).toMatch(/^Valid until\s+\S+ \(\d+m \d+s left\)$/m);
    expect(r.stdout).toMatch(/^Reissue\s+not allowed: .*allow_reissue: true.*`application`/m);
    expect(r.stdout).toMatch(/^Key\s+ecdsa-p256 \(256 bits\)$/m);
    expect(r.stdout).toMatch(/^CAs\s+O=prod\.example\.com, CN=prod\.example\.com$/m);
    expect(r.stdout).toContain(join(dir, 'identity'));
    expect(r.stdout).not.toContain('-----BEGIN');
    expect(r.stderr).toBe('');
  });

  test('--json reports an application output with its app route, reissue allowed', async () => {
    const app = { name: 'everything', publicAddr: 'everything.prod.example.com', clusterName: 'prod.example.com', sessionId: 'sess-1', targetPort: 3001 };
    const id = await issueTestIdentity(pki, { spec: botSpec({ app, disallowReissue: false }) });
    const r = await cli(['-i', join(tbotDir(id), 'identity'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      status: 'valid',
      user: 'bot-agent',
      bot: { name: 'agent' },
      cluster: 'prod.example.com',
      reissue: { allowed: true },
      app,
      keyType: 'ecdsa-p256',
      caSubjects: ['O=prod.example.com, CN=prod.example.com'],
    });
    expect(report.secondsLeft).toBeGreaterThan(0);
    expect(report.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  test('an expired identity is still reported, with the expiry on stderr, and exits 1', async () => {
    const expired = await issueTestIdentity(pki, { notBefore: new Date('2019-01-01T00:00:00Z'), notAfter: new Date('2019-01-01T01:00:00Z') });
    const r = await cli(['-i', tbotDir(expired), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'expired', validUntil: '2019-01-01T01:00:00.000Z' });
    expect(r.stderr).toContain('MCP_BRIDGE_IDENTITY_EXPIRED');
  });

  test('an identity not valid yet exits 1 and points at the clock', async () => {
    const future = await issueTestIdentity(pki, { notBefore: new Date(Date.now() + 86400_000), notAfter: new Date(Date.now() + 2 * 86400_000) });
    const r = await cli(['-i', tbotDir(future)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Valid until\s+\S+ \(not valid before \S+\)$/m);
    expect(r.stderr).toContain('MCP_BRIDGE_IDENTITY_NOT_YET_VALID');
    expect(r.stderr).toContain('clock');
  });

  test('an unreadable path exits 2 naming the path; --json also puts the error on stdout', async () => {
    const missing = join(root, 'missing');
    const r = await cli(['-i', missing, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`[MCP_BRIDGE_IDENTITY_UNREADABLE] ${missing} does not exist.`);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', error: { tag: 'MCP_BRIDGE_IDENTITY_UNREADABLE', detail: `${missing} does not exist.` } });
  });

  test('a cut-off identity file exits 2 and prints nothing on stdout without --json', async () => {
    const path = join(fresh() + '.pem');
    const text = combinedIdentityText(valid);
    writeFileSync(path, text.slice(0, text.length - 40));
    const r = await cli(['-i', path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('MCP_BRIDGE_IDENTITY_INVALID');
    expect(r.stderr).toContain(path);
    expect(r.stderr).not.toContain('-----BEGIN');
  });

  test('a key file readable by others is reported with a warning on stderr', async () => {
    const dir = tbotDir(valid);
    chmodSync(join(dir, 'identity'), 0o644);
    const r = await cli(['-i', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('readable by group/others');
    expect(r.stderr).toContain(`chmod 600 ${join(dir, 'identity')}`);
  });
});

describe('identity options and their environment variables', () => {
  test('TELEPORT_IDENTITY_FILE, then MCP_BRIDGE_IDENTITY, stand in for -i', async () => {
    const a = tbotDir(valid);
    const b = fresh();
    mkdirSync(b);
    const viaTeleport = await cli(['--json'], { TELEPORT_IDENTITY_FILE: a, MCP_BRIDGE_IDENTITY: b });
    expect(viaTeleport.code).toBe(0);
    expect(JSON.parse(viaTeleport.stdout).files).toEqual([join(a, 'identity')]);
    const viaBridge = await cli(['--json'], { MCP_BRIDGE_IDENTITY: a });
    expect(JSON.parse(viaBridge.stdout).files).toEqual([join(a, 'identity')]);
  });

  test('MCP_BRIDGE_CERT, MCP_BRIDGE_KEY and a path-list MCP_BRIDGE_CA select explicit files', async () => {
    const dir = tbotDir(valid, { combined: false });
    const extra = join(dir, 'teleport-user-ca.crt');
    const r = await cli(['--json'], {
      MCP_BRIDGE_CERT: join(dir, 'tlscert'),
      MCP_BRIDGE_KEY: join(dir, 'key'),
      MCP_BRIDGE_CA: [join(dir, 'teleport-host-ca.crt'), extra].join(delimiter),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual([join(dir, 'tlscert'), join(dir, 'key'), join(dir, 'teleport-host-ca.crt'), extra]);
  });

  test('--cert/--key on the command line win over TELEPORT_IDENTITY_FILE in the environment', async () => {
    const dir = tbotDir(valid, { combined: false });
    const r = await cli(['--cert', join(dir, 'tlscert'), '--key', join(dir, 'key'), '--json'], { TELEPORT_IDENTITY_FILE: join(root, 'elsewhere') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).caSubjects).toEqual([]);
  });

  test.each([
    ['both -i and --cert/--key', (dir: string) => ['-i', dir, '--cert', join(dir, 'tlscert'), '--key', join(dir, 'key')], 'not both'],
    ['--cert without --key', (dir: string) => ['--cert', join(dir, 'tlscert')], '--cert needs --key'],
    ['no identity at all', () => [], 'No identity given'],
  ])('%s is a usage error (exit 2)', async (_name, args, message) => {
    const r = await cli(args(tbotDir(valid, { combined: false })));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MCP_BRIDGE_CONFIG_INVALID');
    expect(r.stderr).toContain(message);
  });
});
