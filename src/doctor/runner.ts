import { asBridgeError, CATALOGUE, tagLabel } from '../errors/catalogue';
import { fail, type Check, type CheckId, type CheckOutcome, type CheckStatus } from './check';
import type { DoctorContext } from './context';

/** One line of the checklist, also an element of `doctor --json`. */
export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  detail: string;
  /** For warnings and failures: the catalogue tag (MCP_BRIDGE_…), its cause and its fix. */
  tag?: string;
  cause?: string;
  fix?: string;
}

export interface DoctorReport {
  /** False when any step failed (warnings do not count). */
  ok: boolean;
  checks: CheckResult[];
}

function resultOf(check: Check, outcome: CheckOutcome): CheckResult {
  const base = { id: check.id, title: check.title, status: outcome.status, detail: outcome.detail };
  if (outcome.status === 'pass') return base;
  const { tag } = outcome.error;
  return { ...base, tag: tagLabel(tag), cause: CATALOGUE[tag].cause, fix: CATALOGUE[tag].fix };
}

/**
 * Runs the checks in order. A check is skipped (not run) when a step it needs failed or was itself skipped, so
 * one root cause shows as one failure instead of a cascade. A thrown error is that check's failure.
 */
export async function runChecks(checks: readonly Check[], ctx: DoctorContext): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  const statusOf = new Map<CheckId, CheckStatus>();
  for (const check of checks) {
    const blocker = check.needs.find((id) => statusOf.get(id) === 'fail' || statusOf.get(id) === 'skip');
    let result: CheckResult;
    if (blocker) {
      const title = checks.find((c) => c.id === blocker)?.title ?? blocker;
      result = { id: check.id, title: check.title, status: 'skip', detail: `skipped: "${title}" did not pass` };
    } else {
      result = resultOf(check, await check.run(ctx).catch((err: unknown) => fail(asBridgeError(err))));
    }
    statusOf.set(check.id, result.status);
    results.push(result);
  }
  return { ok: results.every((r) => r.status !== 'fail'), checks: results };
}
