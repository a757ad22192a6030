import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeError } from '../../src/errors/catalogue';
import { CredentialWatcher, type Credentials, type IdentitySource } from '../../src/identity';
import { captureLogger, combinedIdentityText, createTestPki, issueTestIdentity, writeTbotDirectory, type TestPki } from './tbot-output';
import { until } from '../support/until';

let root: string;
let pki: TestPki;
let seq = 0;
const watchers: CredentialWatcher[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'identity-watch-'));
  pki = await createTestPki('p256');
});
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function newWatcher(source: IdentitySource, logger = captureLogger().logger, pollIntervalMs = 20): CredentialWatcher {
  const w = new CredentialWatcher(source, { logger, pollIntervalMs, debounceMs: 10 });
  watchers.push(w);
  return w;
}

const nextGeneration = (w: CredentialWatcher) => new Promise<Credentials>((resolve) => w.once('generation', resolve));

function freshDir(): string {
  const dir = join(root, `case-${++seq}`);
  mkdirSync(dir);
  return dir;
}

describe('CredentialWatcher', () => {
  test('start() resolves the first generation and a tbot renewal is emitted as generation 2', async () => {
    const dir = freshDir();
    const first = await issueTestIdentity(pki);
    writeTbotDirectory(dir, first);
    const w = newWatcher({ kind: 'path', path: dir });
    const creds = await w.start();
    expect(creds.generation).toBe(1);
    expect(creds.certPem).toBe(first.certPem);
    expect(w.current()).toBe(creds);

    const second = await issueTestIdentity(pki);
    const emitted = nextGeneration(w);
    writeTbotDirectory(dir, second);
    const next = await emitted;
    expect(next.generation).toBe(2);
    expect(next.certPem).toBe(second.certPem);
    expect(next.keyPem).toBe(second.keyPem);
    expect(w.current()).toBe(next);
  });

  test('rewriting the same certificate is not a new generation', async () => {
    const dir = freshDir();
    const first = await issueTestIdentity(pki);
    writeTbotDirectory(dir, first);
    const w = newWatcher({ kind: 'path', path: dir });
    await w.start();
    const seen: Credentials[] = [];
    w.on('generation', (c) => seen.push(c));
    writeTbotDirectory(dir, first); // same content, new mtime
    writeFileSync(join(dir, 'identity'), combinedIdentityText(first) + '\n# trailing line\n');
    const second = await issueTestIdentity(pki);
    const emitted = nextGeneration(w);
    writeTbotDirectory(dir, second);
    await emitted;
    expect(seen.map((c) => [c.generation, c.certPem])).toEqual([[2, second.certPem]]);
  });

  test('a half-renewed directory (new tlscert, old key) is never handed out; the completed renewal is', async () => {
    const dir = freshDir();
    const first = await issueTestIdentity(pki);
    writeTbotDirectory(dir, first, { combined: false });
    const log = captureLogger();
    const w = newWatcher({ kind: 'path', path: dir }, log.logger);
    await w.start();
    const seen: Credentials[] = [];
    w.on('generation', (c) => seen.push(c));

    const second = await issueTestIdentity(pki);
    writeFileSync(join(dir, 'tlscert'), second.certPem);
    await until(() => log.lines.some((l) => l.includes('identity read rejected') && l.includes('KEY_MISMATCH')));
    expect(w.current().certPem).toBe(first.certPem);
    expect(seen).toEqual([]);

    const emitted = nextGeneration(w);
    writeFileSync(join(dir, 'key'), second.keyPem);
    expect((await emitted).keyPem).toBe(second.keyPem);
    expect(seen.map((c) => c.certPem)).toEqual([second.certPem]);
  });

  test('persistent bad files keep the last good credentials and warn once', async () => {
    const dir = freshDir();
    const first = await issueTestIdentity(pki);
    writeTbotDirectory(dir, first);
    const log = captureLogger();
    const w = newWatcher({ kind: 'path', path: dir }, log.logger, 5);
    await w.start();
    const text = combinedIdentityText(first);
    writeFileSync(join(dir, 'identity'), text.slice(0, text.length / 2));
    await until(() => log.lines.filter((l) => l.includes('identity read rejected')).length >= 8);
    const warnings = log.lines.filter((l) => l.includes('WARN') && l.includes('keep failing validation'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('still using generation 1');
    expect(warnings[0]).toContain('has no END line');
    expect(w.current().certPem).toBe(first.certPem);
  });

  test('explicit cert and key files are watched too', async () => {
    const dir = freshDir();
    const first = await issueTestIdentity(pki);
    const [certFile, keyFile] = [join(dir, 'c.pem'), join(dir, 'k.pem')];
    writeFileSync(certFile, first.certPem);
    writeFileSync(keyFile, first.keyPem, { mode: 0o600 });
    const w = newWatcher({ kind: 'explicit', certFile, keyFile, caFiles: [] });
    await w.start();
    const second = await issueTestIdentity(pki);
    const emitted = nextGeneration(w);
    writeFileSync(certFile, second.certPem);
    writeFileSync(keyFile, second.keyPem);
    expect((await emitted).certPem).toBe(second.certPem);
  });

  test('start() rejects with the BridgeError when nothing readable is there', async () => {
    const w = newWatcher({ kind: 'path', path: freshDir() });
    await expect(w.start()).rejects.toThrow(BridgeError);
    expect(() => w.current()).toThrow('before start()');
  });

  test('a key file readable by others is warned about once, however many generations keep it so', async () => {
    const dir = freshDir();
    writeTbotDirectory(dir, await issueTestIdentity(pki));
    chmodSync(join(dir, 'identity'), 0o640);
    const log = captureLogger();
    const w = newWatcher({ kind: 'path', path: dir }, log.logger);
    await w.start();
    const emitted = nextGeneration(w);
    writeFileSync(join(dir, 'identity'), combinedIdentityText(await issueTestIdentity(pki)));
    await emitted;
    expect(log.lines.filter((l) => l.includes('readable by group/others'))).toHaveLength(1);
  });
});

describe('expiry warnings', () => {
  test('an identity tbot stopped renewing warns once that it expires soon, then once that it expired', async () => {
    const dir = freshDir();
    // A third of the lifetime is left at once, and it expires a moment later.
    const notAfter = new Date(Date.now() + 1500);
    writeTbotDirectory(dir, await issueTestIdentity(pki, { notBefore: new Date(Date.now() - 3600_000), notAfter }));
    const log = captureLogger('warn');
    const w = newWatcher({ kind: 'path', path: dir }, log.logger);
    await w.start();
    expect(log.lines.filter((l) => l.includes('expires in'))).toHaveLength(1);
    expect(log.lines[0]).toContain('tbot has not renewed it');
    await until(() => log.lines.some((l) => l.includes('MCP_BRIDGE_IDENTITY_EXPIRED')));
    expect(log.lines.filter((l) => l.includes('MCP_BRIDGE_IDENTITY_EXPIRED'))).toHaveLength(1);
    expect(log.lines.filter((l) => l.includes('expires in'))).toHaveLength(1);
  });

  test('an already expired identity warns that it expired (and not that it expires soon)', async () => {
    const dir = freshDir();
    writeTbotDirectory(dir, await issueTestIdentity(pki, { notBefore: new Date('2019-01-01T00:00:00Z'), notAfter: new Date('2019-01-01T01:00:00Z') }));
    const log = captureLogger('warn');
    const w = newWatcher({ kind: 'path', path: dir }, log.logger);
    const creds = await w.start();
    expect(creds.identity.notAfter.getUTCFullYear()).toBe(2019);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain('MCP_BRIDGE_IDENTITY_EXPIRED');
    expect(log.lines[0]).toContain('expired at 2019-01-01T01:00:00.000Z');
  });

  test('a fresh identity gives no warning', async () => {
    const dir = freshDir();
    writeTbotDirectory(dir, await issueTestIdentity(pki));
    const log = captureLogger('warn');
    await newWatcher({ kind: 'path', path: dir }, log.logger).start();
    expect(log.lines).toEqual([]);
  });
});
