import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { CacheStore, defaultCacheDir, entryName, type CacheStoreOptions } from '../cache';
import type { Logger } from '../log/logger';
import type { VerdictStore } from '../mcp/era/verdicts';
import { envFlag } from './connection-options';

/** The per-user cache shared by bridge processes (connect uses it; identity and doctor show it). */
export interface CacheArgs {
  cache: boolean;
  cacheDir?: string;
}

export function withCacheOptions<T>(y: Argv<T>): Argv<T & CacheArgs> {
  return y
    .option('cache', {
      type: 'boolean',
      default: envFlag('MCP_BRIDGE_CACHE') ?? true,
      describe: "Share app certificates, the proxy's answers and each server's MCP era between this user's mcp-bridge processes (--no-cache turns it off) [env MCP_BRIDGE_CACHE]",
    })
    .option('cache-dir', {
      type: 'string',
      default: process.env.MCP_BRIDGE_CACHE_DIR || undefined,
      defaultDescription: '$XDG_CACHE_HOME/mcp-bridge or ~/.cache/mcp-bridge',
      describe: 'Directory of that cache, private to this user (0700) [env MCP_BRIDGE_CACHE_DIR]',
    })
    .group(['cache', 'cache-dir'], 'Cache:') as unknown as Argv<T & CacheArgs>;
}

/** The cache to use, or undefined with --no-cache. Nothing is touched on disk until it is first used. */
export function cacheFromArgs(args: CacheArgs, logger: Logger, options?: CacheStoreOptions): CacheStore | undefined {
  if (!args.cache) return undefined;
  return new CacheStore(args.cacheDir ? resolve(args.cacheDir) : defaultCacheDir(), logger.child('cache'), options);
}

/** The era verdicts kept in the cache, one entry per upstream (its key hashed into the entry's name). */
export function eraStoreOf(cache: CacheStore): VerdictStore {
  const name = (key: string) => entryName('era', [key]);
  return {
    read: async (key) => (await cache.read(name(key)))?.data,
    write: async (key, data, expiresAt) => void (await cache.write(name(key), data, expiresAt)),
    remove: (key) => cache.remove(name(key)),
  };
}
