import { asBridgeError, BridgeError, CATALOGUE, tagLabel } from '../../errors/catalogue';
import { formatDuration, loadCredentials, validityOf, type Credentials, type Validity } from '../../identity';
import type { AppCertCacheSummary } from '../../teleport';
import { cacheFromArgs } from '../cache-options';
import { exitCodes } from '../exit-codes';
import { loggerFromArgs } from '../global-options';
import { identitySourceFromArgs } from '../identity-options';
import type { IdentityCommandArgs } from './identity';

/** What the command reports, also its --json output. */
interface IdentityReport {
  status: Validity;
  user: string;
  bot: { name: string; instanceId?: string } | null;
  roles: string[];
  logins: string[];
  cluster: string;
  teleportCluster?: string;
  routeToCluster?: string;
  validFrom: string;
  validUntil: string;
  /** Negative once expired. */
  secondsLeft: number;
  reissue: { allowed: boolean; note?: string };
  app: Credentials['identity']['app'] | null;
  keyType: Credentials['keyType'];
  keyBits?: number;
  caSubjects: string[];
  files: string[];
  filesLastChanged: string;
  fingerprint: string;
  serialNumber: string;
  warnings: string[];
  /** The app certificates cached for this identity (shared by connect processes). */
  cache: Omit<AppCertCacheSummary, 'text'>;
}

function reissueOf(creds: Credentials): IdentityReport['reissue'] {
  const { disallowReissue, app } = creds.identity;
  if (!disallowReissue) return { allowed: true };
  if (app) return { allowed: false, note: `not needed for app '${app.name}': this certificate already routes to it` };
  return { allowed: false, note: CATALOGUE.REISSUE_DENIED.fix };
}

function reportOf(creds: Credentials, now: Date, cache: AppCertCacheSummary): IdentityReport {
  const id = creds.identity;
  return {
    status: validityOf(creds, now),
    user: id.username,
    bot: id.botName ? { name: id.botName, ...(id.botInstanceId ? { instanceId: id.botInstanceId } : {}) } : null,
    roles: id.roles,
    logins: id.logins,
    cluster: id.clusterName,
    ...(id.teleportCluster ? { teleportCluster: id.teleportCluster } : {}),
    ...(id.routeToCluster ? { routeToCluster: id.routeToCluster } : {}),
    validFrom: id.notBefore.toISOString(),
    validUntil: id.notAfter.toISOString(),
    secondsLeft: Math.floor((id.notAfter.getTime() - now.getTime()) / 1000),
    reissue: reissueOf(creds),
    app: id.app ?? null,
    keyType: creds.keyType,
    ...(creds.keyBits ? { keyBits: creds.keyBits } : {}),
    caSubjects: creds.caSubjects,
    files: creds.files,
    filesLastChanged: creds.newestMtime.toISOString(),
    fingerprint: creds.fingerprint,
    serialNumber: id.serialNumber,
    warnings: creds.warnings,
    cache: { dir: cache.dir, state: cache.state, ...(cache.reason ? { reason: cache.reason } : {}), appCerts: cache.appCerts },
  };
}

function validityText(r: IdentityReport): string {
  const span = formatDuration(r.secondsLeft * 1000);
  if (r.status === 'expired') return `${r.validUntil} (EXPIRED ${span} ago)`;
  if (r.status === 'not-yet-valid') return `${r.validUntil} (not valid before ${r.validFrom})`;
  return `${r.validUntil} (${span} left)`;
}

function renderText(r: IdentityReport, cacheText: string): string {
  const app = r.app;
  const rows: [string, string][] = [
    ['User', r.user],
    ['Bot', r.bot ? `${r.bot.name}${r.bot.instanceId ? ` (instance ${r.bot.instanceId})` : ''}` : '-'],
    ['Roles', r.roles.join(', ') || '-'],
    ['Cluster', r.cluster + (r.routeToCluster ? ` (routes to ${r.routeToCluster})` : '')],
    ['Valid from', r.validFrom],
    ['Valid until', validityText(r)],
    ['Reissue', r.reissue.allowed ? 'allowed' : `not allowed: ${r.reissue.note}`],
    ['App route', app ? `${app.name} (${app.publicAddr}, cluster ${app.clusterName}${app.targetPort ? `, port ${app.targetPort}` : ''})` : '-'],
    ['Key', `${r.keyType}${r.keyBits ? ` (${r.keyBits} bits)` : ''}`],
    ['CAs', r.caSubjects.join('; ') || '-'],
    ['Files', r.files.join(', ')],
    ['Last changed', r.filesLastChanged],
    ['Cache', cacheText],
  ];
  return rows.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n') + '\n';
}

function validityError(r: IdentityReport): BridgeError {
  return r.status === 'expired'
    ? new BridgeError('IDENTITY_EXPIRED', `The certificate in ${r.files.join(', ')} expired at ${r.validUntil}.`)
    : new BridgeError('IDENTITY_NOT_YET_VALID', `The certificate in ${r.files.join(', ')} is valid from ${r.validFrom}.`);
}

/** `mcp-bridge identity`: reads tbot's files once and reports them (and the app certificates cached for them). */
export async function runIdentity(args: IdentityCommandArgs): Promise<void> {
  const logger = loggerFromArgs(args);
  let report: IdentityReport;
  let cacheText: string;
  try {
    const creds = await loadCredentials(identitySourceFromArgs(args));
    const now = new Date();
    // Loaded here only: the Teleport code is not needed by the other commands' start-up.
    const { summarizeAppCertCache } = await import('../../teleport');
    const cache = await summarizeAppCertCache(cacheFromArgs(args, logger, { create: false }), creds.fingerprint, now);
    cacheText = cache.text;
    report = reportOf(creds, now, cache);
  } catch (err) {
    const e = asBridgeError(err);
    if (args.json) {
      const error = { tag: tagLabel(e.tag), detail: e.detail, cause: CATALOGUE[e.tag].cause, fix: CATALOGUE[e.tag].fix };
      process.stdout.write(JSON.stringify({ status: 'error', error }, null, 2) + '\n'); // stdout-ok
    }
    process.stderr.write(`mcp-bridge: ${e.message}\n`);
    process.exitCode = e.tag === 'INTERNAL' ? exitCodes.FAILURE : exitCodes.USAGE;
    return;
  }
  for (const warning of report.warnings) logger.warn(warning);
  process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : renderText(report, cacheText)); // stdout-ok
  if (report.status !== 'valid') {
    process.stderr.write(`mcp-bridge: ${validityError(report).message}\n`);
    process.exitCode = exitCodes.FAILURE;
  }
}
