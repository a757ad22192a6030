import { BridgeError } from '../../errors/catalogue';
import { expiringSoonAt, formatDuration, validityOf } from '../../identity';
import { fail, pass, warn, type Check } from '../check';

/** Time left on the identity certificate: expired and not-yet-valid fail; a third of the lifetime or less warns. */
export const validityCheck: Check = {
  id: 'validity',
  title: 'Identity valid',
  needs: ['identity'],
  async run(ctx) {
    const creds = ctx.get('credentials');
    const now = ctx.now();
    const { notBefore, notAfter } = creds.identity;
    const until = notAfter.toISOString();
    switch (validityOf(creds, now)) {
      case 'expired':
        return fail(new BridgeError('IDENTITY_EXPIRED', `expired ${formatDuration(now.getTime() - notAfter.getTime())} ago (at ${until}).`));
      case 'not-yet-valid':
        return fail(new BridgeError('IDENTITY_NOT_YET_VALID', `not valid before ${notBefore.toISOString()}, ${formatDuration(notBefore.getTime() - now.getTime())} from now by this machine's clock.`));
      case 'valid': {
        const left = `${formatDuration(notAfter.getTime() - now.getTime())} left (until ${until})`;
        if (now.getTime() < expiringSoonAt(creds).getTime()) return pass(left);
        // tbot renews at a third of the lifetime, so a healthy identity never gets this low.
        return warn(new BridgeError('IDENTITY_STALE', `only ${left}: tbot should have renewed it by now.`));
      }
    }
  },
};
