import type { VerdictStore } from '../../../src/mcp/era/verdicts';

/**
 * The era cache's store contract as src/cache provides it (entries by key until they expire), kept in memory so a
 * test can play several bridge processes sharing one cache, and look inside.
 */
export class MapVerdictStore implements VerdictStore {
  readonly entries = new Map<string, { data: unknown; expiresAt: Date }>();

  async read(key: string): Promise<unknown> {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt.getTime() > Date.now() ? JSON.parse(JSON.stringify(entry.data)) : undefined;
  }

  async write(key: string, data: unknown, expiresAt: Date): Promise<void> {
    this.entries.set(key, { data: JSON.parse(JSON.stringify(data)), expiresAt });
  }

  async remove(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** The era remembered for `key`, if any. */
  era(key: string): unknown {
    return (this.entries.get(key)?.data as { era?: unknown } | undefined)?.era;
  }
}
