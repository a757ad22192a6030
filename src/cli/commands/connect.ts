import type { Argv, CommandModule } from 'yargs';
import { withCacheOptions, type CacheArgs } from '../cache-options';
import { withConnectionOptions, type ConnectionArgs } from '../connection-options';
import type { GlobalArgs } from '../global-options';
import { withIdentityOptions, type IdentityArgs } from '../identity-options';
import { withRelayOptions, type RelayArgs } from '../relay-options';

export type ConnectArgs = GlobalArgs & ConnectionArgs & RelayArgs & IdentityArgs & CacheArgs & { app?: string };

export const connectCommand: CommandModule<GlobalArgs, ConnectArgs> = {
  command: 'connect [app]',
  describe: 'Relay MCP on stdio to a Teleport MCP app (or a Streamable HTTP --url)',
  builder: (y: Argv<GlobalArgs>) =>
    withCacheOptions(withIdentityOptions(withRelayOptions(withConnectionOptions(y, { url: true }))))
      .positional('app', { type: 'string', default: process.env.MCP_BRIDGE_APP, describe: 'MCP app name [env MCP_BRIDGE_APP]' })
      .example('$0 connect -i /opt/machine-id/identity --proxy example.teleport.sh:443 my-mcp-server', 'through Teleport')
      .example('$0 connect --url https://mcp.internal/mcp --cert c.pem --key k.pem --ca ca.pem', 'straight to a server with mutual TLS') as unknown as Argv<ConnectArgs>,
  // The run module (and the upstream it picks) is loaded only when connect runs: other commands never evaluate it.
  handler: async (args) => (await import('./connect-run')).runConnect(args),
};
