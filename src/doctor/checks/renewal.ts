import { BridgeError } from '../../errors/catalogue';
import { formatDuration } from '../../identity';
import { pass, warn, fail, type Check } from '../check';

/** tbot's default renewal_interval (with the default 1 h certificate_ttl). */
const TBOT_DEFAULT_RENEWAL_MS = 20 * 60_000;
/** Slack for one renewal's writes and a retry or two (tbot retries a failed renewal with backoff). */
const RENEWAL_GRACE_MS = 2 * 60_000;

/**
 * The longest a healthy tbot leaves its files alone: the default interval, or a third of the certificate's
 * lifetime for longer TTLs (tbot must renew well before expiry; a third is what its defaults do).
 */
export function renewalAllowanceMs(notBefore: Date, notAfter: Date): number {
  return Math.max(TBOT_DEFAULT_RENEWAL_MS, (notAfter.getTime() - notBefore.getTime()) / 3) + RENEWAL_GRACE_MS;
}

/** Is tbot still writing? The newest mtime among the files read tells, independent of what the certificate says. */
export const renewalCheck: Check = {
  id: 'renewal',
  title: 'Files being renewed',
  needs: ['identity'],
  async run(ctx) {
    const creds = ctx.get('credentials');
    const now = ctx.now().getTime();
    const age = Math.max(0, now - creds.newestMtime.getTime());
    const allowance = renewalAllowanceMs(creds.identity.notBefore, creds.identity.notAfter);
    const written = `last written ${formatDuration(age)} ago`;
    if (age <= allowance) return pass(`${written} (tbot renews every 20m by default)`);
    const detail = `${written}, longer than tbot's renewal interval allows (${formatDuration(allowance)})`;
    if (creds.identity.notAfter.getTime() <= now) return fail(new BridgeError('IDENTITY_STALE', `${detail}; the certificate expired meanwhile.`));
    return warn(new BridgeError('IDENTITY_STALE', `${detail}; the certificate expires in ${formatDuration(creds.identity.notAfter.getTime() - now)}.`));
  },
};
