import type { CommandModule } from 'yargs';
import { configCommand } from './config';
import { connectCommand } from './connect';
import { doctorCommand } from './doctor';
import { identityCommand } from './identity';
import { lsCommand } from './ls';

/** Every subcommand, in the order `--help` lists them. Each lives in its own file beside this one. */
export const commands: CommandModule<any, any>[] = [connectCommand, identityCommand, configCommand, lsCommand, doctorCommand];
