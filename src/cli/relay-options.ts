import type { Argv } from 'yargs';
import { BridgeError } from '../errors/catalogue';
import { DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_OUTPUT_MESSAGE_SIZE } from '../mcp/limits';
import { envFlag } from './connection-options';

/** How the relay behaves (connect, and config which writes them into client entries). */
export interface RelayArgs {
  autoReconnect: boolean;
  keepClientCapabilities: boolean;
  maxMessageSize: number;
  /** Largest message written to stdout, in bytes; 0 = no limit. */
  maxOutputMessageSize: number;
}

export function withRelayOptions<T>(y: Argv<T>): Argv<T & RelayArgs> {
  return y
    .option('auto-reconnect', {
      type: 'boolean',
      default: envFlag('MCP_BRIDGE_AUTO_RECONNECT') ?? true,
      describe: 'Start a new session when the server lost ours (--no-auto-reconnect turns it off) [env MCP_BRIDGE_AUTO_RECONNECT]',
    })
    .option('keep-client-capabilities', {
      type: 'boolean',
      default: envFlag('MCP_BRIDGE_KEEP_CLIENT_CAPABILITIES') ?? false,
      describe: 'Declare sampling/elicitation/roots even through Teleport, which cannot carry them today [env MCP_BRIDGE_KEEP_CLIENT_CAPABILITIES]',
    })
    .option('max-message-size', {
      type: 'number',
      default: Number(process.env.MCP_BRIDGE_MAX_MESSAGE_SIZE || DEFAULT_MAX_MESSAGE_SIZE),
      describe: 'Largest JSON-RPC message accepted on stdin, and from a stdio or SSE app, in bytes [env MCP_BRIDGE_MAX_MESSAGE_SIZE]',
    })
    .option('max-output-message-size', {
      type: 'number',
      default: Number(process.env.MCP_BRIDGE_MAX_OUTPUT_MESSAGE_SIZE || DEFAULT_MAX_OUTPUT_MESSAGE_SIZE),
      describe:
        'Largest JSON-RPC message written to stdout, in bytes (SDK clients close the connection when a line passes 10 MiB with the pipe read that ends it): a larger response becomes an error, a larger notification is dropped; 0 = no limit [env MCP_BRIDGE_MAX_OUTPUT_MESSAGE_SIZE]',
    })
    .group(['auto-reconnect', 'keep-client-capabilities', 'max-message-size', 'max-output-message-size'], 'Relay:') as unknown as Argv<T & RelayArgs>;
}

export function relaySettingsFromArgs(args: RelayArgs): RelayArgs {
  if (!Number.isInteger(args.maxMessageSize) || args.maxMessageSize < 1024) {
    throw new BridgeError('CONFIG_INVALID', '--max-message-size must be a whole number of bytes, at least 1024.');
  }
  const output = args.maxOutputMessageSize;
  if (!Number.isInteger(output) || (output !== 0 && output < 1024)) {
    throw new BridgeError('CONFIG_INVALID', '--max-output-message-size must be a whole number of bytes, at least 1024, or 0 for no limit.');
  }
  return {
    autoReconnect: args.autoReconnect,
    keepClientCapabilities: args.keepClientCapabilities,
    maxMessageSize: args.maxMessageSize,
    maxOutputMessageSize: output,
  };
}
