import { open, readdir, stat } from 'node:fs/promises';
import { BridgeError } from '../errors/catalogue';

export interface FileContents {
  path: string;
  text: string;
  mtime: Date;
  /** Permission bits (mode & 0o777). */
  mode: number;
}

function unreadable(path: string, err: unknown): BridgeError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EISDIR'
        ? 'is a directory where a file was expected'
        : code === 'EACCES' || code === 'EPERM'
          ? "cannot be read by this user (tbot writes 0600 files: run as tbot's user or list this user in the destination's readers)"
          : `could not be read (${code ?? 'unknown error'})`;
  return new BridgeError('IDENTITY_UNREADABLE', `${path} ${why}.`, { cause: err, data: { path } });
}

/** Reads a whole file with the mtime and mode of the same open file. An empty file is unreadable: tbot truncates before it writes. */
export async function readIdentityFile(path: string): Promise<FileContents> {
  let contents: FileContents;
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      contents = { path, text: await handle.readFile('utf8'), mtime: info.mtime, mode: info.mode & 0o777 };
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw unreadable(path, err);
  }
  if (contents.text.trim() === '') {
    throw new BridgeError('IDENTITY_UNREADABLE', `${path} is empty (tbot may be writing it right now, or has not finished its first run).`, { data: { path } });
  }
  return contents;
}

export type PathKind = 'directory' | 'file';

export async function pathKind(path: string): Promise<PathKind> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'file';
  } catch (err) {
    throw unreadable(path, err);
  }
}

export async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (err) {
    throw unreadable(path, err);
  }
}
