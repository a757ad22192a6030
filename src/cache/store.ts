import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { acquireLock, type LockOptions, type Release } from './lock';
import { notPrivate } from './ownership';
import { readPrivateFile, TEMP_PREFIX, writePrivateFile } from './private-file';

/** One entry as stored: what the caller gave, and until when it may be used. */
export interface CacheEntry {
  name: string;
  expiresAt: Date;
  /** The caller's data, unchecked: callers validate it as untrusted input. */
  data: unknown;
}

/** `absent`: the directory does not exist and this store was told not to create it (nothing cached yet). */
export type CacheStatus = { usable: true; dir: string } | { usable: false; dir: string; reason: string; absent?: true };

export interface CacheStoreOptions {
  /** Create the directory when missing (default true); false for commands that only show what is cached. */
  create?: boolean;
}

const FORMAT = 1;
const SUFFIX = '.json';
/** Entries are small (a certificate and key, a ping answer); anything bigger is not one of ours. */
const MAX_ENTRY_BYTES = 256 * 1024;
/** A temporary file this old belongs to a writer that died. */
const TEMP_MAX_AGE_MS = 60_000;
const NAME = /^[a-z0-9-]+$/;

/** A file name for an entry of `kind` keyed by `parts`: hashed, so no key part can shape a path. */
export function entryName(kind: string, parts: readonly string[]): string {
  return `${kind}-${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40)}`;
}

function parseEnvelope(text: string): { expiresAt: Date; data: unknown } | undefined {
  try {
    const json = JSON.parse(text) as { v?: unknown; expiresAt?: unknown; data?: unknown };
    if (json.v !== FORMAT || typeof json.expiresAt !== 'string' || json.data === undefined) return undefined;
    const expiresAt = new Date(json.expiresAt);
    return Number.isNaN(expiresAt.getTime()) ? undefined : { expiresAt, data: json.data };
  } catch {
    return undefined;
  }
}

/**
 * A directory of small JSON entries private to this user, shared by all of the user's processes. It knows nothing
 * of what it stores. The directory is created 0700 on first use and refused (the cache is then off, said once at
 * warn level) unless it is this user's and closed to group and others; an entry file is used only if it is a private
 * regular file of this user, parses, and has not expired — anything else counts as absent (logged at debug level),
 * never as an error. Writes are atomic; a per-entry lock lets racing processes do expensive work once.
 */
export class CacheStore {
  private checked?: Promise<CacheStatus>;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly options: CacheStoreOptions = {},
  ) {}

  /** Creates and checks the directory, once. */
  status(): Promise<CacheStatus> {
    this.checked ??= this.check();
    return this.checked;
  }

  private async check(): Promise<CacheStatus> {
    const refuse = (reason: string): CacheStatus => {
      this.logger.warn(`not using the cache directory ${this.dir}: ${reason}`);
      return { usable: false, dir: this.dir, reason };
    };
    try {
      if (this.options.create ?? true) await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const unsafe = notPrivate(await stat(this.dir), 'directory');
      return unsafe ? refuse(unsafe) : { usable: true, dir: this.dir };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && this.options.create === false) return { usable: false, dir: this.dir, reason: 'does not exist yet', absent: true };
      return refuse(code ?? String(err));
    }
  }

  private path(name: string): string {
    if (!NAME.test(name)) throw new Error(`cache entry name ${JSON.stringify(name)} is not [a-z0-9-]+`);
    return join(this.dir, name + SUFFIX);
  }

  /** The entry if it is usable and unexpired; an expired one is removed. */
  async read(name: string, now = new Date()): Promise<CacheEntry | undefined> {
    if (!(await this.status()).usable) return undefined;
    const file = this.path(name);
    const read = await readPrivateFile(file, MAX_ENTRY_BYTES);
    if (!read.ok) {
      if (read.why !== 'missing') this.logger.debug('ignoring a cache entry', { entry: name, reason: read.reason });
      return undefined;
    }
    const envelope = parseEnvelope(read.text);
    if (!envelope) {
      this.logger.debug('ignoring a cache entry', { entry: name, reason: 'not a cache entry (corrupt or foreign)' });
      return undefined;
    }
    if (envelope.expiresAt.getTime() <= now.getTime()) {
      await unlink(file).catch(() => undefined);
      return undefined;
    }
    return { name, ...envelope };
  }

  /** Stores `data` until `expiresAt`; a failure is logged at debug level (the cache is an optimisation). */
  async write(name: string, data: unknown, expiresAt: Date): Promise<boolean> {
    if (!(await this.status()).usable) return false;
    try {
      await writePrivateFile(this.dir, name + SUFFIX, JSON.stringify({ v: FORMAT, expiresAt: expiresAt.toISOString(), data }));
      return true;
    } catch (err) {
      this.logger.debug('could not write a cache entry', { entry: name, error: (err as NodeJS.ErrnoException).code ?? String(err) });
      return false;
    }
  }

  /** Removes an entry (e.g. one that turned out unusable). */
  async remove(name: string): Promise<void> {
    if ((await this.status()).usable) await unlink(this.path(name)).catch(() => undefined);
  }

  /** The lock for entry `name`, or undefined after the timeout or when the cache is off. */
  async lock(name: string, options: LockOptions): Promise<Release | undefined> {
    if (!(await this.status()).usable) return undefined;
    try {
      return await acquireLock(join(this.dir, `${name}.lock`), options);
    } catch (err) {
      this.logger.debug('could not lock a cache entry', { entry: name, error: (err as NodeJS.ErrnoException).code ?? String(err) });
      return undefined;
    }
  }

  /** Every usable, unexpired entry whose name starts with `kind-`. */
  async list(kind: string, now = new Date()): Promise<CacheEntry[]> {
    const entries: CacheEntry[] = [];
    for (const name of await this.names()) {
      if (!name.startsWith(`${kind}-`)) continue;
      const entry = await this.read(name, now);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /**
   * Removes expired entries, entries that are not ours to read (corrupt, wrong mode) and temporary files of writers
   * that died. Files owned by another user are left alone (and never read).
   */
  async sweep(now = new Date()): Promise<void> {
    if (!(await this.status()).usable) return;
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch {
      return;
    }
    await Promise.all(
      files.map(async (file) => {
        const path = join(this.dir, file);
        if (file.startsWith(TEMP_PREFIX)) {
          const old = await stat(path).then((s) => now.getTime() - s.mtimeMs > TEMP_MAX_AGE_MS, () => false);
          if (old) await unlink(path).catch(() => undefined);
          return;
        }
        if (!file.endsWith(SUFFIX) || !NAME.test(file.slice(0, -SUFFIX.length))) return;
        const read = await readPrivateFile(path, MAX_ENTRY_BYTES);
        if (!read.ok && read.why === 'foreign') return;
        const envelope = read.ok ? parseEnvelope(read.text) : undefined;
        if (!envelope || envelope.expiresAt.getTime() <= now.getTime()) await unlink(path).catch(() => undefined);
      }),
    );
  }

  private async names(): Promise<string[]> {
    if (!(await this.status()).usable) return [];
    const files = await readdir(this.dir).catch(() => [] as string[]);
    return files.filter((f) => f.endsWith(SUFFIX) && NAME.test(f.slice(0, -SUFFIX.length))).map((f) => f.slice(0, -SUFFIX.length));
  }
}
