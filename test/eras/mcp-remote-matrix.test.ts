import { CLIENT_KINDS } from '../support/scenario/clients';
import { expectConnectRefused, expectScenarioPasses, label, LANGCHAIN_SKIPS, PINNED_TO_LEGACY, startUpstreams, type Expectation, type UpstreamName, type Upstreams } from './matrix';

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

const eraOf = (client: Expectation['client'], upstream: UpstreamName): Expectation['era'] => {
  if (client === 'langchain') return undefined;
  if (client === 'sdk-v1' || upstream === 'everything') return 'legacy';
  return 'modern';
};

const PASSING: Expectation[] = (['dual', 'modern-only', 'everything'] as const).flatMap((upstream) =>
  CLIENT_KINDS.filter((client) => !(client === PINNED_TO_LEGACY.client && upstream === PINNED_TO_LEGACY.upstream)).map((client) => ({
    client,
    upstream,
    era: eraOf(client, upstream),
    skipped: client === 'langchain' ? LANGCHAIN_SKIPS : undefined,
  })),
);

test.each(PASSING.map((e) => [label(e), e] as const))('%s: every step passes', async (_, expectation) => {
  await expectScenarioPasses('mcp-remote-auto', upstreams, expectation);
});

test(`${label(PINNED_TO_LEGACY)}: refused at connect`, async () => {
  await expectConnectRefused('mcp-remote-auto', upstreams, PINNED_TO_LEGACY);
});
