import { EXPECTED_AFTER_ISSUE_11, expectConnectRefused, expectScenarioPasses, label, LANGCHAIN_SKIPS, PINNED_TO_LEGACY, startUpstreams, type Expectation, type Upstreams } from './matrix';

/**
 * Each client through `mcp-bridge connect --url` to each upstream. What passes today is asserted; the combinations in
 * EXPECTED_AFTER_ISSUE_11 (matrix.ts) are listed as pending with what they do now, to be moved into PASSING as the
 * era handling lands.
 */

jest.setTimeout(180_000);

let upstreams: Upstreams;
beforeAll(async () => {
  upstreams = await startUpstreams();
});
afterAll(async () => upstreams?.stop());

const PASSING: Expectation[] = [
  { client: 'langchain', upstream: 'dual', skipped: LANGCHAIN_SKIPS },
  { client: 'sdk-v1', upstream: 'everything', era: 'legacy' },
  { client: 'sdk-v2-auto', upstream: 'everything', era: 'legacy' },
  { client: 'langchain', upstream: 'everything', skipped: LANGCHAIN_SKIPS },
];

test.each(PASSING.map((e) => [label(e), e] as const))('%s: every step passes', async (_, expectation) => {
  await expectScenarioPasses('bridge', upstreams, expectation);
});

test(`${label(PINNED_TO_LEGACY)}: a client pinned to 2026-07-28 is refused a 2025-only upstream`, async () => {
  await expectConnectRefused('bridge', upstreams, PINNED_TO_LEGACY);
});

test.skip.each(EXPECTED_AFTER_ISSUE_11.map((e) => [label(e), e.today, e] as const))('after issue 11: %s (today: %s)', async (_, _today, expectation) => {
  await expectScenarioPasses('bridge', upstreams, expectation);
});
