/** A per-user cache directory shared by a user's processes: private files, atomic writes, a lock. No Teleport here. */
export { CacheStore, entryName, type CacheEntry, type CacheStatus, type CacheStoreOptions } from './store';
export { defaultCacheDir } from './location';
export type { LockOptions, Release } from './lock';
