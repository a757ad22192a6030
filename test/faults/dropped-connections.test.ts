import { startFaultBed, type FaultBed } from './support/fault-bed';
import { report, RSS_GROWTH_LIMIT_KB, underLoad } from './support/load';

const IDLE_DROPS = 20;
const BUSY_DROPS = 10;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed();
});

afterAll(async () => {
  await bed?.close();
});

test(`${IDLE_DROPS} drops of idle proxy connections (and the GET stream) fail no call`, async () => {
  const run = await underLoad(bed, IDLE_DROPS, async (_i, load) => {
    await load.pause(); // no call in flight: only idle keep-alive connections and the GET stream are cut
    bed.cluster.control.dropConnections();
    load.resume();
  });
  report('idle connection drops', { drops: IDLE_DROPS }, run.summary);
  expect(run.probes.filter((p) => p !== 'ok')).toEqual([]);
  expect(run.summary).toMatchObject({ errors: {}, unanswered: 0, wrong: 0 });
  expect(run.rssGrowthKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);
}, 120_000);

test(`${BUSY_DROPS} drops with calls in flight answer every call, failing only with MAY_HAVE_RUN, and the relay recovers each time`, async () => {
  const run = await underLoad(bed, BUSY_DROPS, async () => {
    bed.cluster.control.dropConnections();
  });
  report('busy connection drops', { drops: BUSY_DROPS }, run.summary);
  expect(run.probes.filter((p) => p !== 'ok')).toEqual([]);
  expect(Object.keys(run.summary.errors).filter((tag) => tag !== 'MCP_BRIDGE_MAY_HAVE_RUN')).toEqual([]);
  expect(run.summary).toMatchObject({ unanswered: 0, wrong: 0 });
  expect(run.rssGrowthKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);
}, 120_000);
