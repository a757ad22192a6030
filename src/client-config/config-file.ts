import { isDeepStrictEqual } from 'node:util';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BridgeError } from '../errors/catalogue';
import { JsoncSyntaxError, parseJsonc } from './jsonc';

/** What merging one server entry did to a config file. */
export interface MergeResult {
  /** The file written (symlinks resolved). */
  path: string;
  status: 'created' | 'updated' | 'unchanged';
  /** `<file>.bak`: the previous content, written only when an existing file changed. */
  backupPath?: string;
  /** The previous file had comments, which the rewrite dropped (the backup keeps them). */
  droppedComments: boolean;
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Puts `entry` under `serversKey`.`name` in the JSON(C) file at `file`, keeping every other key and their order.
 * Same entry already there: nothing is written. Otherwise the previous file is copied to `<file>.bak` and the new
 * content replaces it atomically (temp file + rename), keeping the file's mode; a new file is created 0600 (its env
 * block may hold header values) together with any missing directories.
 */
export async function mergeServerEntry(file: string, serversKey: string, name: string, entry: JsonObject): Promise<MergeResult> {
  const target = await resolveSymlink(file);
  const existing = await readIfExists(target);
  const document = existing === undefined ? { value: {}, hadComments: false } : parseConfig(target, existing);
  const config = document.value;
  if (!isObject(config)) throw new BridgeError('CLIENT_CONFIG_INVALID', `${target}: the top level is not a JSON object.`);
  const servers = config[serversKey] ?? {};
  if (!isObject(servers)) throw new BridgeError('CLIENT_CONFIG_INVALID', `${target}: "${serversKey}" is not a JSON object.`);

  // Compared as JSON values: what the file would hold, whatever realm or undefined members `entry` has.
  if (isDeepStrictEqual(servers[name], JSON.parse(JSON.stringify(entry)))) return { path: target, status: 'unchanged', droppedComments: false };

  // Spreading keeps key order, and a replaced entry keeps its place.
  const updated = { ...config, [serversKey]: { ...servers, [name]: entry } };
  const text = JSON.stringify(updated, null, 2) + '\n';
  if (existing === undefined) {
    await writeAtomically(target, text, 0o600);
    return { path: target, status: 'created', droppedComments: false };
  }
  const backupPath = `${target}.bak`;
  await guard(target, 'back up', () => fs.copyFile(target, backupPath));
  const { mode } = await guard(target, 'stat', () => fs.stat(target));
  await writeAtomically(target, text, mode & 0o7777);
  return { path: target, status: 'updated', backupPath, droppedComments: document.hadComments };
}

function parseConfig(file: string, text: string) {
  try {
    return parseJsonc(text);
  } catch (err) {
    if (err instanceof JsoncSyntaxError) throw new BridgeError('CLIENT_CONFIG_INVALID', `${file}: ${err.message}.`);
    throw err;
  }
}

/** Writes through a symlinked config (dotfile managers) instead of replacing the link with a file. */
async function resolveSymlink(file: string): Promise<string> {
  const absolute = path.resolve(file);
  try {
    return await fs.realpath(absolute);
  } catch (err) {
    if (isAbsent(err)) return absolute;
    throw unwritable(absolute, 'resolve', err);
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw unwritable(file, 'read', err);
  }
}

/** Missing, or under a path component that is not a directory: creating the directories will say which. */
function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await guard(file, 'create the directory of', () => fs.mkdir(path.dirname(file), { recursive: true }));
  try {
    await guard(file, 'write', async () => {
      await fs.writeFile(temp, text, { mode, flag: 'wx' });
      await fs.chmod(temp, mode); // the umask may have narrowed it
      await fs.rename(temp, file);
    });
  } finally {
    await fs.rm(temp, { force: true });
  }
}

async function guard<T>(file: string, action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw unwritable(file, action, err);
  }
}

function unwritable(file: string, action: string, err: unknown): BridgeError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new BridgeError('CLIENT_CONFIG_UNWRITABLE', `Could not ${action} ${file} (${code}).`, { cause: err });
}
