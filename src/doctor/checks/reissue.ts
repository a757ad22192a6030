import { BridgeError } from '../../errors/catalogue';
import { routesToApp } from '../../teleport';
import { fail, pass, type Check } from '../check';

/**
 * Can this identity yield an app certificate? Either it may reissue (allow_reissue: true), or it is a tbot
 * `application` output for the app, used as is. Read from the certificate; the App certificate step asks the Auth
 * Service for real.
 */
export const reissueCheck: Check = {
  id: 'reissue',
  title: 'Reissue allowed',
  needs: ['identity'],
  async run(ctx) {
    const identity = ctx.get('credentials').identity;
    const app = ctx.options.app;
    if (app && routesToApp(identity, app)) return pass(`not needed: this is tbot's application output for "${app}", used as the app certificate`);
    if (!identity.disallowReissue) return pass('allowed (the certificate does not carry disallow-reissue)');
    const route = identity.app?.name;
    if (route && !app) return pass(`not allowed, but this is tbot's application output for "${route}": only that app can be reached with it`);
    const detail = route
      ? `this is tbot's application output for "${route}", not "${app}", and it carries disallow-reissue.`
      : "the certificate carries disallow-reissue (tbot's default without allow_reissue: true), so no app certificate can be issued from it.";
    return fail(new BridgeError('REISSUE_DENIED', detail));
  },
};
