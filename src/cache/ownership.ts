import type { Stats } from 'node:fs';

/**
 * Owner and mode checks for cache files and directories. POSIX only: on Windows there is no uid and the mode bits
 * say nothing about who can read a file, so the checks pass and the profile directory's ACLs protect the cache.
 */
const POSIX = process.platform !== 'win32' && typeof process.getuid === 'function';

/** True when the file or directory belongs to another user (whose files are never read nor removed). */
export function foreign(stats: Stats): boolean {
  return POSIX && stats.uid !== process.getuid!();
}

/** Why `stats` must not be trusted as this user's private file or directory, or undefined when it can be. */
export function notPrivate(stats: Stats, kind: 'file' | 'directory'): string | undefined {
  if (kind === 'file' ? !stats.isFile() : !stats.isDirectory()) return `not a ${kind}`;
  if (!POSIX) return undefined;
  if (stats.uid !== process.getuid!()) return `owned by uid ${stats.uid}, not this user (uid ${process.getuid!()})`;
  if ((stats.mode & 0o077) !== 0) return `mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')} lets group or others in`;
  // A second name for the file may sit outside the cache, where others could read or change it.
  if (kind === 'file' && stats.nlink > 1) return `${stats.nlink} hard links`;
  return undefined;
}
