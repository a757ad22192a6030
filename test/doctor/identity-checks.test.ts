import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DoctorContext } from '../../src/doctor/context';
import { reissueCheck } from '../../src/doctor/checks/reissue';
import { renewalAllowanceMs, renewalCheck } from '../../src/doctor/checks/renewal';
import { validityCheck } from '../../src/doctor/checks/validity';
import { loadCredentials, type Credentials } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { parseProxyAddress } from '../../src/teleport';
import { createCA, type CertificateAuthority } from '../../fixtures/pki';
import { startTbot, type TbotOptions } from '../../fixtures/tbot';

const CLUSTER = 'doctor.test';
let root: string;
let hostCA: CertificateAuthority;
let userCA: CertificateAuthority;
let dirs = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'doctor-identity-'));
  [hostCA, userCA] = await Promise.all((['host', 'user'] as const).map((kind) => createCA({ clusterName: CLUSTER, kind, algorithm: 'p256' })));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** tbot's output on disk, read back like doctor reads it. */
async function tbotOutput(options: Partial<TbotOptions> = {}): Promise<{ dir: string; creds: Credentials }> {
  const tbot = await startTbot({
    outDir: join(root, `out-${++dirs}`),
    service: 'identity',
    clusterName: CLUSTER,
    userCA,
    hostCA,
    suite: 'balanced-v1',
    bot: { name: 'agent', roles: ['mcp-user'] },
    ...options,
  });
  await tbot.stop();
  return { dir: tbot.outDir, creds: await loadCredentials({ kind: 'path', path: tbot.outDir }) };
}

function contextFor(creds: Credentials, options: { now?: Date; app?: string } = {}): DoctorContext {
  const ctx = new DoctorContext({
    source: { kind: 'path', path: creds.files[0]! },
    proxy: parseProxyAddress('127.0.0.1:1'),
    app: options.app,
    extraCAs: [],
    insecure: false,
    headers: {},
    logger: silentLogger,
    now: options.now ? () => options.now! : undefined,
  });
  ctx.set('credentials', creds);
  return ctx;
}

describe('doctor: files being renewed', () => {
  it('passes files tbot just wrote', async () => {
    const { creds } = await tbotOutput();
    expect(await renewalCheck.run(contextFor(creds))).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^last written \d+s ago/) });
  });

  it('warns with IDENTITY_STALE when the files are older than the renewal interval allows, while the certificate still lasts', async () => {
    const { dir } = await tbotOutput();
    const fortyMinutesAgo = new Date(Date.now() - 40 * 60_000);
    for (const name of await readdir(dir)) await utimes(join(dir, name), fortyMinutesAgo, fortyMinutesAgo);
    const creds = await loadCredentials({ kind: 'path', path: dir });
    const outcome = await renewalCheck.run(contextFor(creds));
    expect(outcome.status).toBe('warn');
    expect(outcome.status !== 'pass' && outcome.error.tag).toBe('IDENTITY_STALE');
    expect(outcome.detail).toMatch(/^last written 40m \d+s ago, longer than tbot's renewal interval allows \(22m 20s\); the certificate expires in/);
  });

  it('fails once the stale files hold an expired certificate', async () => {
    const { creds } = await tbotOutput();
    const outcome = await renewalCheck.run(contextFor(creds, { now: new Date(creds.identity.notAfter.getTime() + 60_000) }));
    expect(outcome).toMatchObject({ status: 'fail', detail: expect.stringContaining('the certificate expired meanwhile') });
  });

  it('allows a third of a long certificate lifetime between renewals, and never less than tbot’s 20 minutes', () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const hours = (h: number) => new Date(start.getTime() + h * 3600_000);
    expect(renewalAllowanceMs(start, hours(9))).toBe((3 * 60 + 2) * 60_000);
    expect(renewalAllowanceMs(start, hours(0.5))).toBe(22 * 60_000);
  });
});

describe('doctor: identity valid', () => {
  it('warns with a third of the lifetime left, which a renewing tbot never lets happen', async () => {
    const { creds } = await tbotOutput();
    const outcome = await validityCheck.run(contextFor(creds, { now: new Date(creds.identity.notAfter.getTime() - 10 * 60_000) }));
    expect(outcome).toMatchObject({ status: 'warn', detail: 'only 10m 0s left (until ' + creds.identity.notAfter.toISOString() + '): tbot should have renewed it by now.' });
  });

  it('fails a certificate that is not valid yet with IDENTITY_NOT_YET_VALID', async () => {
    const { creds } = await tbotOutput();
    const outcome = await validityCheck.run(contextFor(creds, { now: new Date(creds.identity.notBefore.getTime() - 5 * 60_000) }));
    expect(outcome.status !== 'pass' && outcome.error.tag).toBe('IDENTITY_NOT_YET_VALID');
  });
});

describe('doctor: reissue allowed', () => {
  it('fails an application output for another app, naming both apps', async () => {
    const { creds } = await tbotOutput({
      service: 'application',
      app: { name: 'wiki', publicAddr: 'wiki.doctor.test', createSession: async () => 'session-1' },
    });
    const outcome = await reissueCheck.run(contextFor(creds, { app: 'docs' }));
    expect(outcome).toMatchObject({ status: 'fail', detail: `this is tbot's application output for "wiki", not "docs", and it carries disallow-reissue.` });
    expect(await reissueCheck.run(contextFor(creds))).toMatchObject({ status: 'pass', detail: expect.stringContaining('only that app can be reached') });
  });
});
