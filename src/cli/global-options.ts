import type { Argv } from 'yargs';
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel, type Logger } from '../log/logger';

export interface GlobalArgs {
  logLevel: LogLevel;
  logFile?: string;
  logFormat: LogFormat;
}

/** Options every command takes; each also reads an MCP_BRIDGE_* variable so client configs need no arguments. */
export function withGlobalOptions<T>(y: Argv<T>): Argv<T & GlobalArgs> {
  return y
    .option('log-level', {
      choices: LOG_LEVELS,
      default: (process.env.MCP_BRIDGE_LOG_LEVEL as LogLevel | undefined) ?? 'warn',
      describe: 'Least severe level written to stderr [env MCP_BRIDGE_LOG_LEVEL]',
      global: true,
    })
    .option('log-file', {
      type: 'string',
      default: process.env.MCP_BRIDGE_LOG_FILE,
      describe: 'Also append log lines to this file [env MCP_BRIDGE_LOG_FILE]',
      global: true,
    })
    .option('log-format', {
      choices: ['text', 'json'] as const,
      default: (process.env.MCP_BRIDGE_LOG_FORMAT as LogFormat | undefined) ?? 'text',
      describe: 'Log line format [env MCP_BRIDGE_LOG_FORMAT]',
      global: true,
    })
    .group(['log-level', 'log-file', 'log-format'], 'Logging:') as unknown as Argv<T & GlobalArgs>;
}

export function loggerFromArgs(args: GlobalArgs): Logger {
  return createLogger({ level: args.logLevel, format: args.logFormat, file: args.logFile });
}
