import type { Argv, CommandModule } from 'yargs';
import { withCacheOptions, type CacheArgs } from '../cache-options';
import type { GlobalArgs } from '../global-options';
import { withIdentityOptions, type IdentityArgs } from '../identity-options';

export type IdentityCommandArgs = GlobalArgs & IdentityArgs & CacheArgs & { json: boolean };

export const identityCommand: CommandModule<GlobalArgs, IdentityCommandArgs> = {
  command: 'identity',
  describe: "Show and check the identity tbot wrote: user, roles, cluster, validity, app route, CAs",
  builder: (y: Argv<GlobalArgs>) =>
    withCacheOptions(withIdentityOptions(y))
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON (for scripts)' })
      .epilogue('Exit status: 0 valid, 1 expired or not yet valid, 2 unreadable or invalid.')
      .example('$0 identity -i /opt/machine-id', 'check the tbot destination directory')
      .example('$0 identity -i /opt/machine-id/identity --json', 'for scripts') as unknown as Argv<IdentityCommandArgs>,
  handler: async (args) => (await import('./identity-run')).runIdentity(args),
};
