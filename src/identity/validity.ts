import { BridgeError } from '../errors/catalogue';
import type { Credentials } from './types';

export type Validity = 'valid' | 'expired' | 'not-yet-valid';

export function validityOf(creds: Credentials, now: Date = new Date()): Validity {
  if (now.getTime() < creds.identity.notBefore.getTime()) return 'not-yet-valid';
  if (now.getTime() > creds.identity.notAfter.getTime()) return 'expired';
  return 'valid';
}

/**
 * Why these credentials cannot be presented now, as the tagged error every path reports (a server would only fail
 * the handshake, hiding the real problem); undefined while they are valid.
 */
export function validityError(creds: Credentials, now: Date = new Date()): BridgeError | undefined {
  const { username, notBefore, notAfter } = creds.identity;
  switch (validityOf(creds, now)) {
    case 'expired':
      return new BridgeError('IDENTITY_EXPIRED', `The identity of ${username} in ${creds.files.join(', ')} expired at ${notAfter.toISOString()}.`);
    case 'not-yet-valid':
      return new BridgeError('IDENTITY_NOT_YET_VALID', `The identity of ${username} in ${creds.files.join(', ')} is valid from ${notBefore.toISOString()}.`);
    case 'valid':
      return undefined;
  }
}

/**
 * When to call a certificate "expiring soon": with a third of its lifetime left. tbot renews at a third of the TTL
 * (20 min of 1 h), so a healthy identity always has two thirds left; one third means renewals have stopped.
 */
export function expiringSoonAt(creds: Credentials): Date {
  const { notBefore, notAfter } = creds.identity;
  return new Date(notAfter.getTime() - (notAfter.getTime() - notBefore.getTime()) / 3);
}

/** "1h 4m", "3m 20s", "45s": time left or overdue, for people. */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const [d, h, m, sec] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}
