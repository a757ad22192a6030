import { BridgeError } from '../../errors/catalogue';
import { summarizeAppCertCache } from '../../teleport';
import { pass, warn, type Check } from '../check';

/** The certificate cache connect shares between processes: usable, and what it holds for this identity. */
export const cacheCheck: Check = {
  id: 'cache',
  title: 'Certificate cache',
  needs: ['identity'],
  async run(ctx) {
    const summary = await summarizeAppCertCache(ctx.options.cache, ctx.get('credentials').fingerprint, ctx.now());
    return summary.state === 'refused' ? warn(new BridgeError('CACHE_UNSAFE', summary.text)) : pass(summary.text);
  },
};
