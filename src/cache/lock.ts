import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A lock between processes of one user on one cache directory: a file created with O_EXCL that names its holder.
 * A holder that died (its pid is gone, on this host) or held it longer than `staleMs` no longer counts; an empty lock
 * (its holder died between creating and writing it) counts for a short while. Hand-written rather than
 * proper-lockfile: loading that library registers signal-exit's SIGTERM/SIGINT handlers, which re-raise the signal
 * and kill the bridge before its bounded DELETE, and graceful-fs patches the process-wide fs module.
 */
export interface LockOptions {
  /** Give up waiting after this long (the caller then goes on without the lock). */
  timeoutMs: number;
  /** A lock older than this is stale whoever holds it. */
  staleMs: number;
}

/** Releases the lock (only if it is still ours); resolves once the lock file is gone. */
export type Release = () => Promise<void>;

interface Holder {
  pid: number;
  host: string;
  nonce: string;
}

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;
/** How long a lock file may stay empty (created, not yet written) before it is taken as left by a dead holder. */
const EMPTY_GRACE_MS = 2_000;

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.nonce === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The lock's current text when it is stale, undefined when it is held (or already gone). */
async function staleText(path: string, staleMs: number): Promise<string | undefined> {
  let text: string;
  let ageMs: number;
  try {
    [text, ageMs] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => Date.now() - s.mtimeMs)]);
  } catch {
    return undefined;
  }
  if (ageMs > staleMs) return text;
  const holder = parseHolder(text);
  if (!holder) return ageMs > EMPTY_GRACE_MS ? text : undefined;
  // Only on the same host does a missing pid mean a dead holder (a shared home directory may hold other hosts' locks).
  return holder.host === hostname() && !alive(holder.pid) ? text : undefined;
}

/**
 * Removes a stale lock without removing a live one that replaced it meanwhile: the lock is moved aside first and
 * put back (link fails if yet another one exists) when what was moved is not what was judged stale.
 */
async function breakLock(path: string, judged: string): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = await readFile(aside, 'utf8').catch(() => judged);
  if (moved !== judged) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function tryCreate(path: string, holder: Holder): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(JSON.stringify(holder));
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Waits for the lock at `path`; resolves with its release, or undefined after `timeoutMs`. Throws only when the lock
 * file cannot be created at all (e.g. the directory is gone or read-only).
 */
export async function acquireLock(path: string, options: LockOptions): Promise<Release | undefined> {
  const holder: Holder = { pid: process.pid, host: hostname(), nonce: randomBytes(12).toString('hex') };
  const deadline = Date.now() + options.timeoutMs;
  let pollMs = FIRST_POLL_MS;
  for (;;) {
    if (await tryCreate(path, holder)) return releaser(path, holder);
    const stale = await staleText(path, options.staleMs);
    if (stale !== undefined) {
      await breakLock(path, stale);
      continue;
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
  }
}

function releaser(path: string, holder: Holder): Release {
  // A process that exits while holding the lock removes it, so waiters need not wait for it to turn stale.
  const onExit = () => {
    try {
      if (parseHolder(readFileSync(path, 'utf8'))?.nonce === holder.nonce) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    process.off('exit', onExit);
    const current = parseHolder(await readFile(path, 'utf8').catch(() => ''));
    if (current?.nonce === holder.nonce) await unlink(path).catch(() => undefined);
  };
}
