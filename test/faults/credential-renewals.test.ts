import { startFaultBed, type FaultBed } from './support/fault-bed';
import { report, RSS_GROWTH_LIMIT_KB, underLoad } from './support/load';
import { until } from '../support/until';

const RENEWALS = 50;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed();
});

afterAll(async () => {
  await bed?.close();
});

/** Successful GenerateUserCerts calls: one per identity generation the bridge took up. */
const issued = () => bed.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;

test(`${RENEWALS} tbot renewals under continuous load fail no call, each switches new connections to a new app certificate, memory stays flat`, async () => {
  const run = await underLoad(bed, RENEWALS, async () => {
    const before = issued();
    await bed.cluster.control.renewNow();
    await until(() => issued() > before); // the bridge obtained an app certificate for the new generation
  });
  report('credential renewals', { renewals: RENEWALS }, run.summary);
  expect(run.probes.filter((p) => p !== 'ok')).toEqual([]);
  expect(run.summary).toMatchObject({ errors: {}, unanswered: 0, wrong: 0 });
  expect(run.summary.ok).toBeGreaterThan(RENEWALS);
  expect(bed.tbot.generation).toBe(RENEWALS + 1);
  // Every generation's app session carried traffic: new connections moved to each new certificate.
  const sessions = new Set(bed.cluster.recorder.appRequests.filter((r) => r.status === 200).map((r) => r.sessionId));
  expect(sessions.size).toBeGreaterThanOrEqual(RENEWALS);
  expect(run.rssGrowthKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);
}, 120_000);
