import type { CommandModule } from 'yargs';

/** Every subcommand, in the order `--help` lists them. Each lives in its own file beside this one. */
export const commands: CommandModule<any, any>[] = [];
