import type { Argv } from 'yargs';
import { BridgeError } from '../errors/catalogue';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../mcp/limits';
import { envFlag } from './connection-options';

/** How the relay behaves (connect, and config which writes them into client entries). */
export interface RelayArgs {
  autoReconnect: boolean;
  keepClientCapabilities: boolean;
  maxMessageSize: number;
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
    .group(['auto-reconnect', 'keep-client-capabilities', 'max-message-size'], 'Relay:') as unknown as Argv<T & RelayArgs>;
}

export function relaySettingsFromArgs(args: RelayArgs): RelayArgs {
  if (!Number.isInteger(args.maxMessageSize) || args.maxMessageSize < 1024) {
    throw new BridgeError('CONFIG_INVALID', '--max-message-size must be a whole number of bytes, at least 1024.');
  }
  return { autoReconnect: args.autoReconnect, keepClientCapabilities: args.keepClientCapabilities, maxMessageSize: args.maxMessageSize };
}
