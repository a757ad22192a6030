import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/cache/lock';

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cache-lock-'));
  lock = join(dir, 'entry.lock');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const OPTIONS = { timeoutMs: 30_000, staleMs: 60_000 };
const exists = (path: string) => stat(path).then(() => true, () => false);

/** A pid that is certainly not running: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

test('processes contending for the lock hold it one at a time', async () => {
  const log = join(dir, 'log');
  await writeFile(log, '');
  const holder = join(__dirname, 'support', 'lock-holder.ts');
  const codes = await Promise.all(
    Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', holder, lock, log, '3'], { stdio: ['ignore', 'ignore', 'inherit'] });
      return new Promise<number | null>((resolve) => child.once('exit', resolve));
    }),
  );
  expect(codes).toEqual([0, 0, 0, 0]);
  const lines = (await readFile(log, 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(4 * 3 * 2);
  for (let i = 0; i < lines.length; i += 2) {
    const [entered, left] = [lines[i]!.split(' '), lines[i + 1]!.split(' ')];
    expect([entered[0], left[0], left[1]]).toEqual(['in', 'out', entered[1]]);
  }
  expect(await exists(lock)).toBe(false);
}, 60_000);

test('a lock held by a live process is not taken: the waiter gives up after its timeout', async () => {
  const release = (await acquireLock(lock, OPTIONS))!;
  expect(await acquireLock(lock, { timeoutMs: 200, staleMs: 60_000 })).toBeUndefined();
  await release();
  const again = await acquireLock(lock, { timeoutMs: 200, staleMs: 60_000 });
  expect(again).toBeDefined();
  await again!();
});

test('a lock whose holder died is taken at once', async () => {
  await writeFile(lock, JSON.stringify({ pid: await deadPid(), host: hostname(), nonce: 'dead' }), { mode: 0o600 });
  const release = await acquireLock(lock, OPTIONS);
  expect(release).toBeDefined();
  expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: process.pid });
  await release!();
  expect(await exists(lock)).toBe(false);
});

test('a dead pid on another host does not make a lock stale (its pid means nothing here); age does', async () => {
  await writeFile(lock, JSON.stringify({ pid: await deadPid(), host: 'elsewhere', nonce: 'x' }), { mode: 0o600 });
  expect(await acquireLock(lock, { timeoutMs: 100, staleMs: 60_000 })).toBeUndefined();
  const old = new Date(Date.now() - 120_000);
  await utimes(lock, old, old);
  const release = await acquireLock(lock, { timeoutMs: 100, staleMs: 60_000 });
  expect(release).toBeDefined();
  await release!();
});

test('an empty lock (holder died between creating and writing it) is taken once it is a few seconds old', async () => {
  await writeFile(lock, '', { mode: 0o600 });
  expect(await acquireLock(lock, { timeoutMs: 100, staleMs: 60_000 })).toBeUndefined();
  const old = new Date(Date.now() - 10_000);
  await utimes(lock, old, old);
  expect(await acquireLock(lock, { timeoutMs: 100, staleMs: 60_000 })).toBeDefined();
});

test("releasing never removes a lock that is no longer ours", async () => {
  const release = (await acquireLock(lock, OPTIONS))!;
  await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'someone-else' }));
  await release();
  expect(await exists(lock)).toBe(true);
});

test('a process that exits holding the lock removes it', async () => {
  const script = `require('tsx/cjs'); require(${JSON.stringify(join(__dirname, '../../src/cache/lock.ts'))}).acquireLock(${JSON.stringify(lock)}, { timeoutMs: 1000, staleMs: 60000 }).then((r) => { if (!r) process.exit(3); console.log('held'); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  expect(out).toBe('held\n');
  expect(await exists(lock)).toBe(false);
});
