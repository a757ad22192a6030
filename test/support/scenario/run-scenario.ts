import { openSession, type ClientKind, type ScenarioSession, type Target } from './clients';
import type { ScenarioProfile } from './profiles';

/**
 * Runs the standard era scenario — connect, tools/list, tools/call, progress, a list-changed notification, an
 * elicitation round trip — with one client against one target, and reports each step's outcome instead of throwing,
 * so a matrix test can assert exactly which steps pass for each combination.
 */

export const SCENARIO_STEPS = ['connect', 'list', 'call', 'progress', 'list-changed', 'elicitation'] as const;
export type ScenarioStep = (typeof SCENARIO_STEPS)[number];

export interface StepOutcome {
  step: ScenarioStep;
  status: 'passed' | 'failed' | 'skipped';
  /** Why it failed or was skipped (the error message, or what was wrong with the result). */
  reason?: string;
}

export interface ScenarioOutcome {
  client: ClientKind;
  profile: string;
  /** The era the client settled on, when it says. */
  era: string | undefined;
  steps: StepOutcome[];
  /** The target's stderr (stdio), for diagnosing a failure. */
  stderr: string;
}

export interface ScenarioOptions {
  /**
   * Bound on each step. A step whose notification or answer never comes (a relay dropping it) must fail rather than
   * hang the matrix; generous, because a loaded machine is slow and this is no speed test.
   */
  stepTimeoutMs?: number;
}

const DEFAULT_STEP_TIMEOUT_MS = 30_000;

class StepTimeout extends Error {}

async function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const messageOf = (err: unknown): string => {
  const e = err as { code?: unknown; message?: string };
  return e.code !== undefined && typeof e.message === 'string' && !e.message.includes(String(e.code)) ? `${e.code} ${e.message}` : (e.message ?? String(err));
};

/** Each step returns undefined when it passed, or a reason it failed. */
type StepBody = (session: ScenarioSession) => Promise<string | undefined>;

function steps(profile: ScenarioProfile): Record<Exclude<ScenarioStep, 'connect'>, StepBody> {
  return {
    async list(session) {
      const names = await session.listTools();
      const missing = profile.listed.filter((name) => !names.includes(name));
      return missing.length ? `tools/list lacks ${missing.join(', ')} (has ${names.join(', ')})` : undefined;
    },
    async call(session) {
      const result = await session.callTool(profile.call);
      return !result.isError && result.text.includes(profile.call.expect) ? undefined : `unexpected result: ${result.text.slice(0, 300)}`;
    },
    async progress(session) {
      const seen: number[] = [];
      const result = await session.callTool(profile.progress, (p) => seen.push(p));
      if (result.isError || !result.text.includes(profile.progress.expect)) return `unexpected result: ${result.text.slice(0, 300)}`;
      // A progress notification racing the result may be dropped by the client itself; the first ones must arrive.
      return seen.length >= 1 && seen[0] === 1 ? undefined : `progress seen: [${seen.join(', ')}]`;
    },
    async 'list-changed'(session) {
      const { kind } = profile.listChanged;
      await session.prepareListChanged(kind);
      const before = session.listChangedCount(kind);
      const arrived = session.listChangedAfter(kind, before);
      const result = await session.callTool(profile.listChanged);
      if (result.isError) return `trigger failed: ${result.text.slice(0, 300)}`;
      await arrived;
      return undefined;
    },
    async elicitation(session) {
      const before = session.elicitations;
      const result = await session.callTool(profile.elicitation);
      if (result.isError || !result.text.includes(profile.elicitation.expect)) return `unexpected result: ${result.text.slice(0, 300)}`;
      return session.elicitations > before ? undefined : 'the result came without an elicitation round trip';
    },
  };
}

export async function runScenario(client: ClientKind, target: Target, profile: ScenarioProfile, options: ScenarioOptions = {}): Promise<ScenarioOutcome> {
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const outcome: ScenarioOutcome = { client, profile: profile.name, era: undefined, steps: [], stderr: '' };
  let session: ScenarioSession;
  try {
    session = await bounded(openSession(client, target, profile.elicitation.answer), timeoutMs, 'connect');
  } catch (err) {
    outcome.steps.push({ step: 'connect', status: 'failed', reason: messageOf(err) });
    for (const step of SCENARIO_STEPS.slice(1)) outcome.steps.push({ step, status: 'skipped', reason: 'not connected' });
    return outcome;
  }
  outcome.era = session.era;
  outcome.steps.push({ step: 'connect', status: 'passed' });
  try {
    for (const [step, body] of Object.entries(steps(profile)) as Array<[ScenarioStep, StepBody]>) {
      if (step === 'elicitation' && !session.canElicit) {
        outcome.steps.push({ step, status: 'skipped', reason: `${client} declares no elicitation capability` });
        continue;
      }
      try {
        const reason = await bounded(body(session), timeoutMs, step);
        outcome.steps.push(reason === undefined ? { step, status: 'passed' } : { step, status: 'failed', reason });
      } catch (err) {
        outcome.steps.push({ step, status: 'failed', reason: messageOf(err) });
      }
    }
  } finally {
    outcome.stderr = session.stderr();
    await bounded(session.close(), timeoutMs, 'close').catch(() => undefined);
  }
  return outcome;
}

/** The steps with a given status, for compact assertions: `expect(stepsWith(o, 'passed')).toEqual([...])`. */
export function stepsWith(outcome: ScenarioOutcome, status: StepOutcome['status']): ScenarioStep[] {
  return outcome.steps.filter((s) => s.status === status).map((s) => s.step);
}

/** One line per step, for failure messages and for the script that prints the matrix. */
export function describeOutcome(outcome: ScenarioOutcome): string {
  const head = `${outcome.client} × ${outcome.profile} (era ${outcome.era ?? '?'})`;
  return [head, ...outcome.steps.map((s) => `  ${s.status.padEnd(7)} ${s.step}${s.reason ? `: ${s.reason}` : ''}`)].join('\n');
}
