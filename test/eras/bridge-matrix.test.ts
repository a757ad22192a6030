import { EVERY_WORKING_COMBINATION, expectConnectRefused, expectScenarioPasses, label, PINNED_TO_LEGACY, startUpstreams, type Upstreams } from './matrix';

/**
 * Each client through `mcp-bridge connect --url` to each upstream: the bridge speaks both eras (src/mcp/era/), so
 * every combination passes — modern end to end where both sides can — except a client pinned to 2026-07-28 on a
 * 2025-only server, which the bridge refuses at once (server/discover answered -32601).
 */

jest.setTimeout(180_000);

let upstreams: Upstreams;
beforeAll(async () => {
  upstreams = await startUpstreams();
});
afterAll(async () => upstreams?.stop());

test.each(EVERY_WORKING_COMBINATION.map((e) => [label(e), e] as const))('%s: every step passes', async (_, expectation) => {
  await expectScenarioPasses('bridge', upstreams, expectation);
});

test(`${label(PINNED_TO_LEGACY)}: a client pinned to 2026-07-28 is refused a 2025-only upstream`, async () => {
  await expectConnectRefused('bridge', upstreams, PINNED_TO_LEGACY);
});
