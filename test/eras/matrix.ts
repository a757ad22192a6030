import { startServerEverything, type ServerEverything } from '../../fixtures/upstreams';
import { startSdkV2Server, type SdkV2Server } from '../../fixtures/upstreams/sdk-v2/server';
import { CLIENT_KINDS, type ClientKind, type Target } from '../support/scenario/clients';
import { SDK_V2_PROFILE, SERVER_EVERYTHING_PROFILE, type ScenarioProfile } from '../support/scenario/profiles';
import { describeOutcome, runScenario, stepsWith, type ScenarioOutcome, type ScenarioStep } from '../support/scenario/run-scenario';
import { bridgeCommand, mcpRemoteCommand } from '../support/stdio-peers';

/**
 * The era matrix of issue 11: every client × every upstream, reached directly, through the bridge, and through
 * mcp-remote --protocol auto (the peer that already translates between eras). Each hop's test file asserts what
 * passes on it: the two translating hops, EVERY_WORKING_COMBINATION.
 */

export type UpstreamName = 'dual' | 'modern-only' | 'everything';
export type Hop = 'direct' | 'bridge' | 'mcp-remote-auto';

export interface Upstreams {
  dual: SdkV2Server;
  modernOnly: SdkV2Server;
  everything: ServerEverything;
  urlOf(name: UpstreamName): string;
  stop(): Promise<void>;
}

export async function startUpstreams(): Promise<Upstreams> {
  const [dual, modernOnly, everything] = await Promise.all([startSdkV2Server({ legacy: 'stateless' }), startSdkV2Server({ legacy: 'reject' }), startServerEverything()]);
  return {
    dual,
    modernOnly,
    everything,
    urlOf: (name) => ({ dual: dual.url, 'modern-only': modernOnly.url, everything: everything.url })[name],
    async stop() {
      await Promise.all([dual.stop(), modernOnly.stop(), everything.stop()]);
    },
  };
}

export const profileOf = (upstream: UpstreamName): ScenarioProfile => (upstream === 'everything' ? SERVER_EVERYTHING_PROFILE : SDK_V2_PROFILE);

export function targetFor(hop: Hop, url: string): Target {
  switch (hop) {
    case 'direct':
      return { kind: 'http', url };
    case 'bridge':
      return { kind: 'stdio', ...bridgeCommand(url) };
    case 'mcp-remote-auto':
      return { kind: 'stdio', ...mcpRemoteCommand(url, { protocol: 'auto' }) };
  }
}

export interface Combination {
  client: ClientKind;
  upstream: UpstreamName;
}

/** What a combination that works must show: every step passed except those skipped, on this era when the client says. */
export interface Expectation extends Combination {
  era?: 'legacy' | 'modern';
  /** LangChain declares no elicitation capability, so its elicitation step is skipped, not failed. */
  skipped?: ScenarioStep[];
}

export const LANGCHAIN_SKIPS: ScenarioStep[] = ['elicitation'];

/** A combination that must fail at connect on every hop: the facts of the upstream, not of a relay. */
export interface RefusedCombination extends Combination {
  /** The connect error, as the client reports it. */
  error: RegExp;
}

/** A client pinned to 2026-07-28 cannot use a 2025-only server, whatever sits between them. */
export const PINNED_TO_LEGACY: RefusedCombination = { client: 'sdk-v2-2026', upstream: 'everything', error: /ERA_NEGOTIATION_FAILED|did not offer pinned protocol version 2026-07-28/ };

/** The era a client settles on with an upstream when a hop translates between eras (LangChain does not say). */
function eraOf(client: ClientKind, upstream: UpstreamName): Expectation['era'] {
  if (client === 'langchain') return undefined;
  if (client === 'sdk-v1' || upstream === 'everything') return 'legacy';
  return 'modern';
}

/**
 * What a hop that speaks both eras makes of the matrix (issue 11's bar, met by mcp-remote --protocol auto and the
 * bridge): every combination passes, modern where both ends can be, except a pinned-modern client on a 2025-only server.
 */
export const EVERY_WORKING_COMBINATION: Expectation[] = (['dual', 'modern-only', 'everything'] as const).flatMap((upstream) =>
  CLIENT_KINDS.filter((client) => !(client === PINNED_TO_LEGACY.client && upstream === PINNED_TO_LEGACY.upstream)).map((client) => ({
    client,
    upstream,
    era: eraOf(client, upstream),
    skipped: client === 'langchain' ? LANGCHAIN_SKIPS : undefined,
  })),
);

/** Runs the scenario and asserts an expectation, with the whole outcome in the failure message. */
export async function expectScenarioPasses(hop: Hop, upstreams: Upstreams, expectation: Expectation): Promise<ScenarioOutcome> {
  const outcome = await runScenario(expectation.client, targetFor(hop, upstreams.urlOf(expectation.upstream)), profileOf(expectation.upstream));
  const summary = `${hop}: ${describeOutcome(outcome)}${outcome.stderr ? `\nstderr: ${outcome.stderr.slice(-2000)}` : ''}`;
  expect({ summary, failed: stepsWith(outcome, 'failed'), skipped: stepsWith(outcome, 'skipped') }).toEqual({
    summary,
    failed: [],
    skipped: expectation.skipped ?? [],
  });
  if (expectation.era) expect({ summary, era: outcome.era }).toEqual({ summary, era: expectation.era });
  return outcome;
}

export async function expectConnectRefused(hop: Hop, upstreams: Upstreams, refused: RefusedCombination): Promise<void> {
  const outcome = await runScenario(refused.client, targetFor(hop, upstreams.urlOf(refused.upstream)), profileOf(refused.upstream));
  const connect = outcome.steps.find((s) => s.step === 'connect');
  expect(connect?.status).toBe('failed');
  expect(connect?.reason).toMatch(refused.error);
}

export const label = (c: Combination): string => `${c.client} × ${c.upstream}`;
