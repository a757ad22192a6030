import { CredentialWatcher } from '../../identity';
import { pass, type Check } from '../check';

/**
 * Reads the identity the way connect does (a CredentialWatcher: complete generations only, key matching the
 * certificate); the watcher is kept for the MCP round trip.
 */
export const identityCheck: Check = {
  id: 'identity',
  title: 'Identity readable',
  needs: [],
  async run(ctx) {
    const watcher = new CredentialWatcher(ctx.options.source, { logger: ctx.options.logger });
    ctx.set('watcher', watcher); // closed with the context even if start() fails half-way
    const creds = await watcher.start();
    ctx.set('credentials', creds);
    const id = creds.identity;
    const roles = id.roles.length ? `roles ${id.roles.join(', ')}` : 'no roles';
    return pass(`${id.username} of cluster "${id.clusterName}" (${roles}; ${creds.keyType} key) from ${creds.files.join(', ')}`);
  },
};
