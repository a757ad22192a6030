import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultBed, type FaultBed } from './support/fault-bed';
import { report, RSS_GROWTH_LIMIT_KB, underLoad } from './support/load';

/** Added App Service latency per spike (ms): the bridge sets no deadline of its own, so slow answers still arrive. */
const SPIKES = [200, 1_000, 50, 2_500, 500];

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed();
});

afterAll(async () => {
  bed?.cluster.control.setLatency(0);
  await bed?.close();
});

test('latency spikes combined with renewals and session expiries delay calls but fail none', async () => {
  const run = await underLoad(bed, SPIKES.length, async (i) => {
    bed.cluster.control.setLatency(SPIKES[i]!);
    // Credentials change while calls are slow: the old connections must stay until those calls are answered.
    await bed.cluster.control.renewNow();
    bed.cluster.control.expireAppSessions();
    await sleep(SPIKES[i]!);
  });
  bed.cluster.control.setLatency(0);
  report('latency spikes', { spikes: SPIKES.length, maxMs: Math.max(...SPIKES) }, run.summary);
  expect(run.probes.filter((p) => p !== 'ok')).toEqual([]);
  expect(run.summary).toMatchObject({ errors: {}, unanswered: 0, wrong: 0 });
  expect(run.rssGrowthKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);
}, 120_000);
