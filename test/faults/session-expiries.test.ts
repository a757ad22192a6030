import { startFaultBed, type FaultBed } from './support/fault-bed';
import { report, RSS_GROWTH_LIMIT_KB, underLoad } from './support/load';

const EXPIRIES = 20;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed();
});

afterAll(async () => {
  await bed?.close();
});

test(`${EXPIRIES} forced app-session expiries under continuous load are healed by a reissue; no call fails`, async () => {
  const refusedBefore = bed.cluster.control.counters().forbidden;
  const run = await underLoad(bed, EXPIRIES, async () => {
    bed.cluster.control.expireAppSessions();
  });
  report('session expiries', { expiries: EXPIRIES, refused: bed.cluster.control.counters().forbidden - refusedBefore }, run.summary);
  expect(run.probes.filter((p) => p !== 'ok')).toEqual([]);
  expect(run.summary).toMatchObject({ errors: {}, unanswered: 0, wrong: 0 });
  // The proxy really refused requests (403 "invalid session"), and the bridge reissued for each expiry.
  expect(bed.cluster.control.counters().forbidden - refusedBefore).toBeGreaterThanOrEqual(EXPIRIES);
  const reissues = bed.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;
  expect(reissues).toBeGreaterThanOrEqual(EXPIRIES + 1);
  expect(run.rssGrowthKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);
}, 120_000);
