import type { Argv, CommandModule } from 'yargs';
import { withConnectionOptions, type ConnectionArgs } from '../connection-options';
import type { GlobalArgs } from '../global-options';
import { withIdentityOptions, type IdentityArgs } from '../identity-options';

const FORMATS = ['text', 'json', 'yaml'] as const;
export type LsArgs = GlobalArgs & ConnectionArgs & IdentityArgs & { format: (typeof FORMATS)[number] };

export const lsCommand: CommandModule<GlobalArgs, LsArgs> = {
  command: 'ls',
  describe: 'List the MCP apps this identity can see, with their transport',
  builder: (y: Argv<GlobalArgs>) =>
    withIdentityOptions(withConnectionOptions(y, { url: false }))
      .option('format', { choices: FORMATS, default: 'text' as const, describe: 'Output format: an aligned table, or json/yaml for scripts' })
      .epilogue('Exit status: 0 listed, 1 the cluster could not be asked, 2 unusable arguments or identity.')
      .example('$0 ls -i /opt/machine-id --proxy teleport.example.com:443', 'table of MCP apps')
      .example('$0 ls -i /opt/machine-id --proxy teleport.example.com:443 --format json', 'for scripts') as unknown as Argv<LsArgs>,
  handler: async (args) => (await import('./ls-run')).runLs(args),
};
