import { setTimeout as sleep } from 'node:timers/promises';
import { buildCli, rssKb, startFaultBed, type FaultBed } from './support/fault-bed';
import { Load, report } from './support/load';

const RENEWALS = 50;

let bed: FaultBed;

beforeAll(async () => {
  buildCli();
  bed = await startFaultBed();
});

afterAll(async () => {
  await bed?.close();
});

/** Successful GenerateUserCerts calls: one per identity generation the bridge took up. */
const issued = () => bed.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}

test(`${RENEWALS} tbot renewals under continuous load fail no call, each is taken up, and memory stays flat`, async () => {
  const load = new Load(bed.bridge.client);
  expect(await load.probe()).toBe('ok');
  const rssBefore = await rssKb(bed.bridge.pid);
  load.start();
  const probes: string[] = [];
  for (let i = 0; i < RENEWALS; i++) {
    const before = issued();
    await bed.cluster.control.renewNow();
    await until(() => issued() > before); // the bridge obtained an app certificate for the new generation
    probes.push(await load.probe());
    if (i % 10 === 9) console.log("rss", i, await rssKb(bed.bridge.pid));
  }
  const summary = await load.stop();
  const rssAfter = await rssKb(bed.bridge.pid);
  report('credential renewals', { renewals: RENEWALS }, summary);
  expect(probes.filter((p) => p !== 'ok')).toEqual([]);
  expect(summary).toMatchObject({ errors: {}, unanswered: 0, wrong: 0 });
  expect(summary.ok).toBeGreaterThan(RENEWALS);
  expect(bed.tbot.generation).toBe(RENEWALS + 1);
  // Each generation's app session was used: new connections switched to the new certificate.
  const sessions = new Set(bed.cluster.recorder.appRequests.filter((r) => r.status === 200).map((r) => r.sessionId));
  expect(sessions.size).toBeGreaterThanOrEqual(RENEWALS);
  expect(rssAfter - rssBefore).toBeLessThan(40 * 1024);
}, 120_000);
