import { EVERY_WORKING_COMBINATION, expectConnectRefused, expectScenarioPasses, label, PINNED_TO_LEGACY, startUpstreams, type Upstreams } from './matrix';

/**
 * The reference: mcp-remote --protocol auto (0.15.1) between each client and each upstream. It translates between
 * eras, so every combination but a pinned-modern client on a 2025-only server passes: the bar issue 11 sets.
 */

jest.setTimeout(180_000);

let upstreams: Upstreams;
beforeAll(async () => {
  upstreams = await startUpstreams();
});
afterAll(async () => upstreams?.stop());

test.each(EVERY_WORKING_COMBINATION.map((e) => [label(e), e] as const))('%s: every step passes', async (_, expectation) => {
  await expectScenarioPasses('mcp-remote-auto', upstreams, expectation);
});

test(`${label(PINNED_TO_LEGACY)}: refused at connect`, async () => {
  await expectConnectRefused('mcp-remote-auto', upstreams, PINNED_TO_LEGACY);
});
