import { BridgeError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import { expiringSoonAt, formatDuration } from './validity';
import type { Credentials } from './types';

/** setTimeout's limit (~24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Warns once per generation when tbot has stopped renewing (a third of the lifetime left) and once when the
 * certificate has expired. A new generation cancels both: renewals are running again.
 */
export class ExpiryWarnings {
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly logger: Logger) {}

  track(creds: Credentials): void {
    this.clear();
    this.at(expiringSoonAt(creds), () => this.warnSoon(creds));
    this.at(creds.identity.notAfter, () => this.warnExpired(creds));
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** Runs `fn` at `when`, or now if that has passed. The expired warning alone stands for both when both are due. */
  private at(when: Date, fn: () => void): void {
    const arm = () => {
      const delay = when.getTime() - Date.now();
      if (delay <= 0) return fn();
      const timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS));
      timer.unref(); // a warning is no reason to keep the process alive
      this.timers.push(timer);
    };
    arm();
  }

  private warnSoon(creds: Credentials): void {
    const left = creds.identity.notAfter.getTime() - Date.now();
    if (left <= 0) return;
    this.logger.warn(
      `identity certificate expires in ${formatDuration(left)} (at ${creds.identity.notAfter.toISOString()}) and tbot has not renewed it; files last changed ${creds.newestMtime.toISOString()}. Check that tbot is running and can reach the cluster; renewed files are picked up automatically.`,
      { files: creds.files, generation: creds.generation },
    );
  }

  private warnExpired(creds: Credentials): void {
    const err = new BridgeError('IDENTITY_EXPIRED', `The certificate from ${creds.files.join(', ')} expired at ${creds.identity.notAfter.toISOString()}.`);
    this.logger.warn(err.message, { tag: err.tag, generation: creds.generation });
  }
}
