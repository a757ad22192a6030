import type { Logger } from '../../log/logger';
import type { Verdict } from './detect';
import { parseDiscoverResult, type Discovered } from './discover';
import { isJsonObject } from './meta';
import { mutualModernVersion } from './versions';

/**
 * Where verdicts persist between processes: the user's private cache directory (src/cache), keyed by name. All
 * the era cache needs of it; reads of anything absent, expired, foreign or corrupt yield undefined.
 */
export interface VerdictStore {
  read(key: string): Promise<unknown>;
  write(key: string, data: unknown, expiresAt: Date): Promise<void>;
  remove(key: string): Promise<void>;
}

/**
 * How long a verdict is trusted. A stale *modern* verdict shows itself at the first request and is re-detected; a
 * stale *legacy* one only keeps era-probing clients on the 2025 protocol (a server upgraded to dual-era still answers
 * initialize), so it is trusted for less time.
 */
const LIFETIME_MS = { modern: 7 * 24 * 3600_000, legacy: 24 * 3600_000 };
/**
 * How long after it was checked a *legacy* verdict answers a 2026-07-28 client's server/discover by itself. A client
 * pinned to 2026-07-28 is refused on that answer and never reaches the server, so without a limit a server upgraded
 * meanwhile would stay refused to it for the verdict's whole lifetime; after this the server is asked again (and the
 * verdict re-checked for every process), at most once an hour.
 */
const LEGACY_ANSWERS_DISCOVER_MS = 3600_000;

interface Stored {
  era: 'legacy' | 'modern';
  /** When the server last showed this era (ms since the epoch). */
  checkedAt: number;
  version?: string;
  /** The server/discover result, kept only as long as its ttlMs allows. */
  discover?: { result: unknown; until: number };
}

/** A verdict as held in memory: with the discover result and until when it may be reused. */
interface Held {
  verdict: Verdict;
  /** Absent in entries written before it was kept: as if checked long ago. */
  checkedAt?: number;
  discover?: { discovered: Discovered; until: number };
}

/** What was remembered about an upstream: its verdict, and the discover result when still fresh. */
export interface Remembered {
  verdict: Verdict;
  /** A server/discover result the server allows to be reused until now. */
  freshDiscover?: Discovered;
  /** A legacy verdict checked recently enough to answer a 2026-07-28 client's server/discover without the server. */
  answersDiscover: boolean;
}

/**
 * The era verdict of one upstream (named by `key`: its URL, or proxy and app), shared by the user's bridge processes
 * so that the next start needs no probe — an era-probing client's short-lived sibling gets its answer at once.
 * Without a store (--no-cache) verdicts live for the process only.
 */
export class EraVerdicts {
  private memory?: Held;

  constructor(
    private readonly store: VerdictStore | undefined,
    private readonly key: string,
    private readonly logger: Logger,
  ) {}

  async get(now = Date.now()): Promise<Remembered | undefined> {
    if (!this.memory) {
      const data = await this.store?.read(this.key).catch(() => undefined);
      this.memory = data === undefined ? undefined : parseStored(data);
      if (data !== undefined && !this.memory) this.logger.debug('ignoring an unreadable era cache entry');
    }
    if (!this.memory) return undefined;
    const { verdict, discover, checkedAt } = this.memory;
    return {
      verdict,
      freshDiscover: discover && discover.until > now ? discover.discovered : undefined,
      answersDiscover: verdict.era === 'legacy' && checkedAt !== undefined && now - checkedAt < LEGACY_ANSWERS_DISCOVER_MS,
    };
  }

  async remember(verdict: Verdict, now = Date.now()): Promise<void> {
    const discovered = verdict.era === 'modern' ? verdict.discovered : undefined;
    const expiresAt = now + LIFETIME_MS[verdict.era];
    const discover = discovered && discovered.ttlMs > 0 ? { discovered, until: Math.min(now + discovered.ttlMs, expiresAt) } : undefined;
    this.memory = { verdict, discover, checkedAt: now };
    const stored: Stored = { era: verdict.era, checkedAt: now };
    if (verdict.era === 'modern') stored.version = verdict.version;
    if (discover) stored.discover = { result: discover.discovered.result, until: discover.until };
    await this.store?.write(this.key, stored, new Date(expiresAt)).catch((err: unknown) => this.logger.debug('could not write the era cache', { error: String(err) }));
  }

  /** The remembered verdict proved wrong: detect again (here and in the next process). */
  async forget(): Promise<void> {
    this.memory = undefined;
    await this.store?.remove(this.key).catch(() => undefined);
  }
}

/** A stored entry, checked as untrusted input (another process, or anyone with the file, wrote it). */
function parseStored(data: unknown): Held | undefined {
  if (!isJsonObject(data)) return undefined;
  const checkedAt = typeof data.checkedAt === 'number' ? data.checkedAt : undefined;
  if (data.era === 'legacy') return { verdict: { era: 'legacy' }, checkedAt };
  if (data.era !== 'modern' || typeof data.version !== 'string' || !mutualModernVersion([data.version])) return undefined;
  const verdict: Verdict = { era: 'modern', version: data.version };
  const discover = data.discover;
  if (!isJsonObject(discover) || typeof discover.until !== 'number') return { verdict, checkedAt };
  try {
    return { verdict, checkedAt, discover: { discovered: parseDiscoverResult(discover.result, 'the era cache'), until: discover.until } };
  } catch {
    return { verdict, checkedAt }; // a corrupt discover result is only not reused
  }
}
