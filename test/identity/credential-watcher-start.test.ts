import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeError } from '../../src/errors/catalogue';
import { CredentialWatcher, type Credentials, type IdentitySource } from '../../src/identity';
import { captureLogger, createTestPki, issueTestIdentity, writeTbotDirectory, type TestPki } from './tbot-output';

const HOUR = 3600_000;
/** Long enough that neither the poll nor a file event reads during a test: only acquire() can. */
const NEVER_MS = 600_000;

let root: string;
let pki: TestPki;
let seq = 0;
const watchers: CredentialWatcher[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'identity-start-'));
  pki = await createTestPki('p256');
});
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(): string {
  const dir = join(root, `case-${++seq}`);
  mkdirSync(dir);
  return dir;
}

/**
 * A watcher as connect makes it: read on first use, watched after that (connect waits a second; here at once).
 * `reads: 'polling'` then re-reads on its own quickly; `'on-demand'` only when acquire() asks.
 */
function newWatcher(source: IdentitySource, reads: 'polling' | 'on-demand'): CredentialWatcher {
  const timing = reads === 'polling' ? { pollIntervalMs: 20, debounceMs: 10 } : { pollIntervalMs: NEVER_MS, debounceMs: NEVER_MS };
  const w = new CredentialWatcher(source, { logger: captureLogger().logger, ...timing, watchAfterFirstUseMs: 0 });
  watchers.push(w);
  return w;
}

/** The BridgeError `fn` throws (fails the test when it does not throw one). */
function thrown(fn: () => unknown): BridgeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BridgeError) return err;
    throw err;
  }
  throw new Error('expected a BridgeError, nothing was thrown');
}

/** The first use, whatever it finds: a failed read is what current() reports after it. */
async function firstUse(w: CredentialWatcher): Promise<void> {
  await w.acquire().catch(() => undefined);
}

describe("CredentialWatcher's first use", () => {
  test('with no files yet, acquire() rejects and current() throws the tagged read failure naming the missing path', async () => {
    const dir = freshDir();
    const missing = join(dir, 'not-written-yet');
    const w = newWatcher({ kind: 'path', path: missing }, 'on-demand');
    await expect(w.acquire()).rejects.toMatchObject({ tag: 'IDENTITY_UNREADABLE' });
    const err = thrown(() => w.current());
    expect(err.tag).toBe('IDENTITY_UNREADABLE');
    expect(err.message).toContain(missing);
  });

  test('current() throws the real failure of garbage files (invalid, not unreadable)', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'identity'), 'not a PEM at all\n', { mode: 0o600 });
    const w = newWatcher({ kind: 'path', path: join(dir, 'identity') }, 'on-demand');
    await firstUse(w);
    expect(thrown(() => w.current()).tag).toBe('IDENTITY_INVALID');
  });

  test('the first good read after a failed start is emitted as generation 1 and becomes current()', async () => {
    const dir = freshDir();
    const w = newWatcher({ kind: 'path', path: dir }, 'polling');
    await firstUse(w);
    expect(thrown(() => w.current()).tag).toMatch(/^IDENTITY_/);

    const emitted = new Promise<Credentials>((resolve) => w.once('generation', resolve));
    const id = await issueTestIdentity(pki);
    writeTbotDirectory(dir, id);
    const first = await emitted;
    expect(first.generation).toBe(1);
    expect(first.certPem).toBe(id.certPem);
    expect(w.current()).toBe(first);
  });

  test('usable files are current() once the first use resolves, announced as generation 1', async () => {
    const dir = freshDir();
    const id = await issueTestIdentity(pki);
    writeTbotDirectory(dir, id);
    const w = newWatcher({ kind: 'path', path: dir }, 'on-demand');
    const seen: Credentials[] = [];
    w.on('generation', (c) => seen.push(c));
    await firstUse(w);
    expect(w.current().certPem).toBe(id.certPem);
    expect(seen.map((c) => c.generation)).toEqual([1]);
  });
});

describe('CredentialWatcher with watchAfterFirstUseMs', () => {
  test('reads nothing before the first acquire(), reads then, and watches only after the delay, catching up with what tbot wrote meanwhile', async () => {
    const dir = freshDir();
    const first = await issueTestIdentity(pki);
    writeTbotDirectory(dir, first);
    const w = new CredentialWatcher({ kind: 'path', path: dir }, { logger: captureLogger().logger, pollIntervalMs: 20, debounceMs: 10, watchAfterFirstUseMs: 300 });
    watchers.push(w);
    // Not used yet: even this watcher's fast poll does not run, so nothing is read.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(thrown(() => w.current()).tag).toBe('INTERNAL');

    expect((await w.acquire()).certPem).toBe(first.certPem);
    const renewed = await issueTestIdentity(pki);
    writeTbotDirectory(dir, renewed);
    const emitted = new Promise<Credentials>((resolve) => w.once('generation', resolve));
    const next = await emitted;
    expect(next.certPem).toBe(renewed.certPem);
    expect(next.generation).toBe(2);
  });
});

describe('CredentialWatcher.acquire()', () => {
  test('with no credentials yet it reads again at once and returns what tbot has written since', async () => {
    const dir = freshDir();
    const w = newWatcher({ kind: 'path', path: dir }, 'on-demand');
    await firstUse(w);
    const id = await issueTestIdentity(pki);
    writeTbotDirectory(dir, id);
    const creds = await w.acquire();
    expect(creds.certPem).toBe(id.certPem);
    expect(creds.generation).toBe(1);
  });

  test('rejects with the tagged reason while the files are still not usable', async () => {
    const dir = freshDir();
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    const id = await issueTestIdentity(pki);
    writeFileSync(certFile, id.certPem);
    const w = newWatcher({ kind: 'explicit', certFile, keyFile, caFiles: [] }, 'on-demand');
    await firstUse(w);
    const err: unknown = await w.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).tag).toBe('IDENTITY_UNREADABLE');
    expect((err as BridgeError).message).toContain(keyFile);
  });

  test('with expired credentials it reads again and returns the renewed ones', async () => {
    const dir = freshDir();
    const expired = await issueTestIdentity(pki, { notBefore: new Date(Date.now() - 2 * HOUR), notAfter: new Date(Date.now() - HOUR) });
    writeTbotDirectory(dir, expired);
    const w = newWatcher({ kind: 'path', path: dir }, 'on-demand');
    await firstUse(w);
    expect(w.current().certPem).toBe(expired.certPem);

    const renewed = await issueTestIdentity(pki);
    writeTbotDirectory(dir, renewed);
    const creds = await w.acquire();
    expect(creds.certPem).toBe(renewed.certPem);
    expect(creds.generation).toBe(2);
  });

  test('with valid credentials it does not read again: the watcher delivers renewals', async () => {
    const dir = freshDir();
    const id = await issueTestIdentity(pki);
    writeTbotDirectory(dir, id);
    const w = newWatcher({ kind: 'path', path: dir }, 'on-demand');
    await firstUse(w);
    writeTbotDirectory(dir, await issueTestIdentity(pki));
    const creds = await w.acquire();
    expect(creds.certPem).toBe(id.certPem);
    expect(creds.generation).toBe(1);
  });
});
