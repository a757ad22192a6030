import './v8-settings'; // first: before anything allocates
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import pkg from '../../package.json';
import { commands } from './commands';
import { withGlobalOptions } from './global-options';
import { exitCodes } from './exit-codes';

export async function main(argv: string[]): Promise<void> {
  const parser = withGlobalOptions(yargs(argv))
    .scriptName('mcp-bridge')
    .usage('$0 <command> [options]\n\nReach Teleport-protected MCP servers from AI agents with tbot certificates.')
    .command(commands)
    .demandCommand(1, 'Name a command; see the list above.')
    .strict()
    .version(pkg.version)
    .alias('help', 'h')
    .wrap(null)
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`${msg}\nRun with --help for usage.\n`);
      process.exit(exitCodes.USAGE);
    });
  await parser.parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  process.stderr.write(`mcp-bridge: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(exitCodes.FAILURE);
});
