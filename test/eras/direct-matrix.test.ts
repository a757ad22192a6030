import { runScenario, stepsWith } from '../support/scenario/run-scenario';
import { expectConnectRefused, expectScenarioPasses, label, LANGCHAIN_SKIPS, PINNED_TO_LEGACY, profileOf, startUpstreams, targetFor, type Expectation, type RefusedCombination, type Upstreams } from './matrix';

/**
 * Each client straight to each upstream over Streamable HTTP: proves the scenario driver and the fixtures, and pins
 * down what the upstreams themselves allow (what no relay can add without translating).
 */

jest.setTimeout(180_000);

let upstreams: Upstreams;
beforeAll(async () => {
  upstreams = await startUpstreams();
});
afterAll(async () => upstreams?.stop());

const PASSING: Expectation[] = [
  { client: 'sdk-v2-auto', upstream: 'dual', era: 'modern' },
  { client: 'sdk-v2-2026', upstream: 'dual', era: 'modern' },
  { client: 'langchain', upstream: 'dual', skipped: LANGCHAIN_SKIPS },
  { client: 'sdk-v2-auto', upstream: 'modern-only', era: 'modern' },
  { client: 'sdk-v2-2026', upstream: 'modern-only', era: 'modern' },
  { client: 'sdk-v1', upstream: 'everything', era: 'legacy' },
  { client: 'sdk-v2-auto', upstream: 'everything', era: 'legacy' },
  { client: 'langchain', upstream: 'everything', skipped: LANGCHAIN_SKIPS },
];

const REFUSED: RefusedCombination[] = [
  { client: 'sdk-v1', upstream: 'modern-only', error: /-32022.*Unsupported protocol version: 2025-11-25/ },
  { client: 'langchain', upstream: 'modern-only', error: /-32022.*Unsupported protocol version: 2025-11-25/ },
  PINNED_TO_LEGACY,
];

test.each(PASSING.map((e) => [label(e), e] as const))('%s: every step passes', async (_, expectation) => {
  await expectScenarioPasses('direct', upstreams, expectation);
});

test.each(REFUSED.map((r) => [label(r), r] as const))('%s: refused at connect', async (_, refused) => {
  await expectConnectRefused('direct', upstreams, refused);
});

test('sdk-v1 × dual: everything but elicitation, which the stateless legacy serving of the SDK cannot do', async () => {
  const outcome = await runScenario('sdk-v1', targetFor('direct', upstreams.dual.url), profileOf('dual'));
  expect(outcome.era).toBe('legacy');
  expect(stepsWith(outcome, 'failed')).toEqual(['elicitation']);
  expect(outcome.steps.find((s) => s.step === 'elicitation')?.reason).toMatch(/per-request legacy serving cannot receive server-to-client requests/);
});
