import { BridgeError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import type { RecoveryVerdict, UpstreamFailure } from '../upstream/types';

/**
 * What the proxy says of the app certificate in use, asked with a request that has no effect (OPTIONS, which the
 * App Service answers 405): `accepted` (any answer from past the proxy), `refused` (403: the app session is not
 * accepted, whatever the body says), `app-service-down` (a bare 500 without X-Teleport-Mcp-Error-Origin: the proxy
 * has the session cached but no App Service to send it to), `unknown` (no answer).
 */
export type ProbeOutcome = 'accepted' | 'refused' | 'app-service-down' | 'unknown';

export interface RecoveryHooks {
  appName: string;
  probe(): Promise<ProbeOutcome>;
  /** Issues a new app certificate (hence a new app session) and installs it; false when none can be issued here. */
  reissue(): Promise<boolean>;
  /** Looks the app up again; true when its route (public address) changed and the new one is in use. */
  relookup(): Promise<boolean>;
  logger: Logger;
  now?: () => number;
}

/**
 * While the App Service is unreachable a reissue per refusal would storm the Auth Service (every reissue makes a new
 * session that is refused the same way), so after a fresh session was refused at most one reissue is made per this
 * interval: a few per minute whatever the call rate.
 */
export const UNHEALTHY_REISSUE_INTERVAL_MS = 20_000;

const ERROR_ORIGIN_HEADER = 'x-teleport-mcp-error-origin';

/**
 * Failures that may mean "this app session is not served": a 403 or a bare 500. Answers marked with an error origin
 * come from past the proxy (the MCP server's own 403, the App Service's errors) and are not the session's.
 */
function sessionFailure(failure: UpstreamFailure): 'refused' | 'bare-500' | undefined {
  if (failure.kind !== 'status' || failure.headers[ERROR_ORIGIN_HEADER] !== undefined) return undefined;
  if (failure.status === 403) return 'refused';
  if (failure.status === 500) return 'bare-500';
  return undefined;
}

/**
 * Recovery from app-session refusals (teleport-wire.md §6). A 403 (whatever its body) is checked with a probe
 * first: a certificate already replaced needs nothing but a retry. Otherwise one reissue; a probe tells whether the
 * fresh session is accepted (the old one had expired: retry) or refused too. A refused fresh session means the App
 * Service is unreachable (restarting, upgrading) or the app moved: the app is looked up again, and a new public
 * address gets a certificate for it; else the verdict is `resend` with APP_SERVICE_UNREACHABLE, and further
 * reissues wait UNHEALTHY_REISSUE_INTERVAL_MS. A bare 500 is the App Service's own answer (may have run) when the
 * probe is accepted, and an unreachable App Service behind a cached session when it is not.
 */
export class AppSessionRecovery {
  /** By kind: a 500 that may be the App Service's own answer must never share a 403's `retry`. */
  private readonly running = new Map<'refused' | 'bare-500', Promise<RecoveryVerdict>>();
  /** Recoveries of different kinds run one after the other, so each sees the reissue the other made. */
  private tail: Promise<unknown> = Promise.resolve();
  /** When a fresh session was last found refused: reissues wait the interval after it. */
  private unhealthyAt?: number;

  constructor(private readonly hooks: RecoveryHooks) {}

  /** Concurrent failures of a kind share one recovery: one probe and at most one reissue for all of them. */
  recover(failure: UpstreamFailure): Promise<RecoveryVerdict> {
    const kind = sessionFailure(failure);
    if (!kind) return Promise.resolve({ action: 'not-mine' });
    let pending = this.running.get(kind);
    if (!pending) {
      pending = this.tail.then(() => this.run(kind)).finally(() => this.running.delete(kind));
      this.running.set(kind, pending);
      this.tail = pending.catch(() => undefined);
    }
    return pending;
  }

  private now(): number {
    return this.hooks.now?.() ?? Date.now();
  }

  private unreachable(why: string): RecoveryVerdict {
    return {
      action: 'resend',
      reason: why,
      error: new BridgeError(
        'APP_SERVICE_UNREACHABLE',
        `The Teleport App Service serving "${this.hooks.appName}" is not reachable: ${why}; nothing reached the MCP server.`,
        { data: { app: this.hooks.appName } },
      ),
    };
  }

  private async run(kind: 'refused' | 'bare-500'): Promise<RecoveryVerdict> {
    const { hooks } = this;
    const before = await hooks.probe();
    if (before === 'unknown') return { action: 'not-mine' };
    if (before === 'accepted') {
      // A 403 on a certificate already replaced: retry on the new one. A 500 while the App Service answers: its own.
      return kind === 'refused' ? { action: 'retry', reason: 'the app certificate in use is accepted' } : { action: 'not-mine' };
    }
    if (this.unhealthyAt !== undefined && this.now() - this.unhealthyAt < UNHEALTHY_REISSUE_INTERVAL_MS) {
      return this.unreachable('a fresh app session was refused moments ago');
    }
    hooks.logger.info('the proxy refused the app certificate (its app session is not served); issuing a new one', { app: hooks.appName, answer: before });
    if (!(await hooks.reissue())) return { action: 'not-mine' };
    const after = await hooks.probe();
    if (after === 'accepted') {
      this.unhealthyAt = undefined;
      return { action: 'retry', reason: 'a new app session is accepted' };
    }
    this.unhealthyAt = this.now();
    try {
      if ((await hooks.relookup()) && (await hooks.reissue()) && (await hooks.probe()) === 'accepted') {
        this.unhealthyAt = undefined;
        return { action: 'retry', reason: "the app's public address changed; a certificate for the new one is accepted" };
      }
    } catch (err) {
      if (err instanceof BridgeError && (err.tag === 'APP_NOT_FOUND' || err.tag === 'APP_NOT_MCP')) {
        return { action: 'fail', reason: 'the app is gone', error: err };
      }
      hooks.logger.debug('could not look the app up again', { error: err instanceof Error ? err.message : String(err) });
    }
    hooks.logger.warn('the proxy refuses even a fresh app session: the App Service serving the app looks unreachable', { app: hooks.appName });
    return this.unreachable(`the proxy refused a freshly issued app session (${after === 'app-service-down' ? 'HTTP 500' : 'HTTP 403'})`);
  }
}
