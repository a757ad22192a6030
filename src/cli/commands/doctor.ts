import type { Argv, CommandModule } from 'yargs';
import { asBridgeError, BridgeError } from '../../errors/catalogue';
import { renderDoctorJson, renderDoctorText, runDoctor, type DoctorOptions } from '../../doctor';
import { parseProxyAddress } from '../../teleport';
import { connectionFromArgs, readCaFiles, withConnectionOptions, type ConnectionArgs } from '../connection-options';
import { exitCodes } from '../exit-codes';
import { loggerFromArgs, type GlobalArgs } from '../global-options';
import { identitySourceFromArgs, withIdentityOptions, type IdentityArgs } from '../identity-options';

type DoctorArgs = GlobalArgs & ConnectionArgs & IdentityArgs & { app?: string; json: boolean };

/** Everything doctor needs from the command line; a problem here is a usage error, not a failed check. */
function optionsFromArgs(args: DoctorArgs): DoctorOptions {
  const settings = connectionFromArgs(args);
  if (!settings.proxy) throw new BridgeError('CONFIG_INVALID', 'Pass --proxy host:port (or TELEPORT_PROXY), the Teleport web address.');
  return {
    source: identitySourceFromArgs(args),
    proxy: parseProxyAddress(settings.proxy),
    app: args.app || undefined,
    extraCAs: readCaFiles(args.ca),
    insecure: settings.insecure,
    headers: settings.headers,
    logger: loggerFromArgs(args),
  };
}

export const doctorCommand: CommandModule<GlobalArgs, DoctorArgs> = {
  command: 'doctor [app]',
  describe: 'Check each step from the identity to an MCP round trip, with fixes',
  builder: (y: Argv<GlobalArgs>) =>
    withIdentityOptions(withConnectionOptions(y, { url: false }))
      .positional('app', { type: 'string', default: process.env.MCP_BRIDGE_APP, describe: 'MCP app to check end to end [env MCP_BRIDGE_APP]' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the checklist as JSON (for scripts)' })
      .epilogue('Exit status: 0 every step passed (warnings allowed), 1 a step failed, 2 unusable arguments.')
      .example('$0 doctor -i /opt/machine-id --proxy teleport.example.com:443 my-mcp-server', 'check the whole path to one app') as unknown as Argv<DoctorArgs>,
  handler: async (args) => {
    let options: DoctorOptions;
    try {
      options = optionsFromArgs(args);
    } catch (err) {
      process.stderr.write(`mcp-bridge: ${asBridgeError(err).message}\n`);
      process.exitCode = exitCodes.USAGE;
      return;
    }
    const report = await runDoctor(options);
    process.stdout.write(args.json ? renderDoctorJson(report) : renderDoctorText(report)); // stdout-ok: the checklist is this command's output
    process.exitCode = report.ok ? exitCodes.OK : exitCodes.FAILURE;
  },
};
