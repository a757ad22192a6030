/** `mcp-bridge doctor`: a checklist from the identity on disk to an MCP round trip, one module per step. */
import type { Check } from './check';
import { appCertCheck } from './checks/app-cert';
import { appCheck } from './checks/app';
import { authCheck } from './checks/auth';
import { cacheCheck } from './checks/cache';
import { identityCheck } from './checks/identity';
import { mcpCheck } from './checks/mcp';
import { proxyCheck } from './checks/proxy';
import { reissueCheck } from './checks/reissue';
import { renewalCheck } from './checks/renewal';
import { validityCheck } from './checks/validity';
import { DoctorContext, type DoctorOptions } from './context';
import { runChecks, type DoctorReport } from './runner';

export type { CheckId, CheckStatus } from './check';
export type { DoctorOptions } from './context';
export type { CheckResult, DoctorReport } from './runner';
export { renderDoctorJson, renderDoctorText } from './render';

const IDENTITY_AND_CLUSTER: Check[] = [identityCheck, validityCheck, renewalCheck, reissueCheck, proxyCheck, authCheck];
const APP_STEPS: Check[] = [appCheck, appCertCheck, mcpCheck];

/** The steps for these options: the app steps only when an app is named; the cache last. */
function doctorChecks(options: Pick<DoctorOptions, 'app'>): Check[] {
  return [...IDENTITY_AND_CLUSTER, ...(options.app ? APP_STEPS : []), cacheCheck];
}

/** Runs every step (skipping those whose prerequisites failed) and closes what they opened. Never throws for a failed step. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const ctx = new DoctorContext(options);
  try {
    return await runChecks(doctorChecks(options), ctx);
  } finally {
    await ctx.close();
  }
}
