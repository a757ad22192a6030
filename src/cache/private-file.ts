import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { foreign, notPrivate } from './ownership';

/** Not following a symlink at the last path component (absent on Windows, where the flag is 0). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** Why a file was not read: it does not exist, it is another user's, or anything else (unsafe, unreadable). */
export type Unread = 'missing' | 'foreign' | 'other';
export type PrivateRead = { ok: true; text: string } | { ok: false; reason: string; why: Unread };

/**
 * Reads a file only if it is this user's private regular file (0600 or stricter, owned by the user, one link, not a
 * symlink) and at most `maxBytes`; checks are made on the opened descriptor, so the file cannot be swapped between
 * check and read. Never throws: anything else is a reason.
 */
export async function readPrivateFile(path: string, maxBytes: number): Promise<PrivateRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | NO_FOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, reason: code === 'ELOOP' ? 'a symlink' : code, why: code === 'ENOENT' ? 'missing' : 'other' };
  }
  try {
    const stats = await handle.stat();
    const unsafe = notPrivate(stats, 'file');
    if (unsafe) return { ok: false, reason: unsafe, why: foreign(stats) ? 'foreign' : 'other' };
    if (stats.size > maxBytes) return { ok: false, reason: `${stats.size} bytes, over ${maxBytes}`, why: 'other' };
    return { ok: true, text: await handle.readFile('utf8') };
  } catch (err) {
    return { ok: false, reason: (err as NodeJS.ErrnoException).code ?? 'read error', why: 'other' };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Replaces `dir/name` with `text` atomically: a new 0600 file (O_EXCL, so never an existing file or symlink) is
 * written and synced under a unique temporary name, then renamed over the old one. Readers see the old file or the
 * new one, never a torn one; racing writers each write whole files and the last rename wins.
 */
export async function writePrivateFile(dir: string, name: string, text: string): Promise<void> {
  const temp = join(dir, `${TEMP_PREFIX}${name}.${process.pid}.${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, join(dir, name));
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Temporary files start with this; a writer that died leaves one behind, and sweeps remove old ones. */
export const TEMP_PREFIX = '.tmp-';
