import type { Argv, CommandModule } from 'yargs';
import { withCacheOptions, type CacheArgs } from '../cache-options';
import { withConnectionOptions, type ConnectionArgs } from '../connection-options';
import type { GlobalArgs } from '../global-options';
import { withIdentityOptions, type IdentityArgs } from '../identity-options';

export type DoctorArgs = GlobalArgs & ConnectionArgs & IdentityArgs & CacheArgs & { app?: string; json: boolean };

export const doctorCommand: CommandModule<GlobalArgs, DoctorArgs> = {
  command: 'doctor [app]',
  describe: 'Check each step from the identity to an MCP round trip, with fixes',
  builder: (y: Argv<GlobalArgs>) =>
    withCacheOptions(withIdentityOptions(withConnectionOptions(y, { url: false })))
      .positional('app', { type: 'string', default: process.env.MCP_BRIDGE_APP, describe: 'MCP app to check end to end [env MCP_BRIDGE_APP]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the checklist as JSON (for scripts)' })
      .epilogue('Exit status: 0 every step passed (warnings allowed), 1 a step failed, 2 unusable arguments.')
      .example('$0 doctor -i /opt/machine-id --proxy teleport.example.com:443 my-mcp-server', 'check the whole path to one app') as unknown as Argv<DoctorArgs>,
  handler: async (args) => (await import('./doctor-run')).runDoctorCommand(args),
};
