import { createLogger } from '../../../src/log/logger';
import { parseDiscoverResult } from '../../../src/mcp/era/discover';
import { EraVerdicts } from '../../../src/mcp/era/verdicts';
import { MapVerdictStore as MapStore } from '../support/map-verdict-store';

const logger = createLogger({ level: 'error', format: 'text', sink: () => undefined });
const discovered = (ttlMs: number) => parseDiscoverResult({ supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, ttlMs }, 'h');

describe('era verdicts', () => {
  it('are shared by processes through the store, a legacy one for less time than a modern one', async () => {
    const store = new MapStore();
    await new EraVerdicts(store, 'url:a', logger).remember({ era: 'legacy' });
    await new EraVerdicts(store, 'url:b', logger).remember({ era: 'modern', version: '2026-07-28' });
    expect(await new EraVerdicts(store, 'url:a', logger).get()).toEqual({ verdict: { era: 'legacy' }, freshDiscover: undefined, answersDiscover: true });
    expect((await new EraVerdicts(store, 'url:b', logger).get())?.verdict).toEqual({ era: 'modern', version: '2026-07-28' });
    const lifetime = (key: string) => store.entries.get(key)!.expiresAt.getTime() - Date.now();
    expect(lifetime('url:a')).toBeLessThan(lifetime('url:b'));
  });

  it('reuse a server/discover result only as long as its ttlMs allows, and never one with ttlMs 0', async () => {
    const store = new MapStore();
    const now = Date.now();
    await new EraVerdicts(store, 'k', logger).remember({ era: 'modern', version: '2026-07-28', discovered: discovered(60_000) }, now);
    expect((await new EraVerdicts(store, 'k', logger).get(now + 1_000))?.freshDiscover?.result).toMatchObject({ ttlMs: 60_000 });
    expect((await new EraVerdicts(store, 'k', logger).get(now + 61_000))?.freshDiscover).toBeUndefined();
    await new EraVerdicts(store, 'k', logger).remember({ era: 'modern', version: '2026-07-28', discovered: discovered(0) }, now);
    expect(store.entries.get('k')!.data).not.toHaveProperty('discover');
  });

  it('ignore entries that are not verdicts (corrupt, foreign, or for a version we do not speak)', async () => {
    const store = new MapStore();
    for (const data of ['modern', { era: 'modern' }, { era: 'modern', version: '2099-01-01' }, { era: 'sideways' }]) {
      await store.write('k', data, new Date(Date.now() + 60_000));
      expect(await new EraVerdicts(store, 'k', logger).get()).toBeUndefined();
    }
  });

  it('are forgotten for every process once proved wrong', async () => {
    const store = new MapStore();
    const verdicts = new EraVerdicts(store, 'k', logger);
    await verdicts.remember({ era: 'legacy' });
    await verdicts.forget();
    expect(await verdicts.get()).toBeUndefined();
    expect(store.entries.size).toBe(0);
  });

  it('live for the process alone without a store (--no-cache)', async () => {
    const verdicts = new EraVerdicts(undefined, 'k', logger);
    await verdicts.remember({ era: 'legacy' });
    expect((await verdicts.get())?.verdict).toEqual({ era: 'legacy' });
    expect(await new EraVerdicts(undefined, 'k', logger).get()).toBeUndefined();
  });
});
