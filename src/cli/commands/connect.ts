import type { Argv, CommandModule } from 'yargs';
import { BridgeError } from '../../errors/catalogue';
import { CredentialWatcher } from '../../identity';
import type { Logger } from '../../log/logger';
import { runRelay } from '../../mcp/relay';
import { createTeleportUpstream } from '../../teleport';
import { createDirectUpstream } from '../../upstream/direct';
import type { Upstream } from '../../upstream/types';
import { connectionFromArgs, readCaFiles, withConnectionOptions, type ConnectionArgs, type ConnectionSettings } from '../connection-options';
import { relaySettingsFromArgs, withRelayOptions, type RelayArgs } from '../relay-options';
import { loggerFromArgs, type GlobalArgs } from '../global-options';
import { optionalIdentitySourceFromArgs, withIdentityOptions, type IdentityArgs } from '../identity-options';

type ConnectArgs = GlobalArgs & ConnectionArgs & RelayArgs & IdentityArgs & { app?: string };

function buildUpstream(args: ConnectArgs, settings: ConnectionSettings, logger: Logger, identity: CredentialWatcher | undefined): Upstream {
  if (settings.url) {
    // With an identity, --ca already is part of its CAs (explicit --cert/--key/--ca); without one it only adds trust roots.
    const extraCAs = identity ? [] : readCaFiles(args.ca);
    return createDirectUpstream({ url: settings.url, headers: settings.headers, identity, extraCAs, insecure: settings.insecure, logger });
  }
  if (!args.app) throw new BridgeError('CONFIG_INVALID', 'Name the MCP app to connect to (or MCP_BRIDGE_APP), or pass --url.');
  if (!settings.proxy) throw new BridgeError('CONFIG_INVALID', 'Pass --proxy host:port (or TELEPORT_PROXY), or --url.');
  if (!identity) throw new BridgeError('CONFIG_INVALID', 'Pass -i with the tbot identity (or TELEPORT_IDENTITY_FILE).');
  return createTeleportUpstream({
    proxy: settings.proxy,
    app: args.app,
    identity,
    extraCAs: readCaFiles(args.ca),
    insecure: settings.insecure,
    headers: settings.headers,
    logger,
  });
}

/** Resolves on the first SIGTERM or SIGINT: the client is closing us. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

export const connectCommand: CommandModule<GlobalArgs, ConnectArgs> = {
  command: 'connect [app]',
  describe: 'Relay MCP on stdio to a Teleport MCP app (or a Streamable HTTP --url)',
  builder: (y: Argv<GlobalArgs>) =>
    withIdentityOptions(withRelayOptions(withConnectionOptions(y)))
      .positional('app', { type: 'string', default: process.env.MCP_BRIDGE_APP, describe: 'MCP app name [env MCP_BRIDGE_APP]' })
      .example('$0 connect -i /opt/machine-id/identity --proxy example.teleport.sh:443 my-mcp-server', 'through Teleport')
      .example('$0 connect --url https://mcp.internal/mcp --cert c.pem --key k.pem --ca ca.pem', 'straight to a server with mutual TLS') as unknown as Argv<ConnectArgs>,
  handler: async (args) => {
    const logger = loggerFromArgs(args);
    const settings = connectionFromArgs(args);
    const relay = relaySettingsFromArgs(args);
    if (settings.insecure) {
      logger.warn('--insecure: the server certificate is NOT verified; anyone on the network path can read and change this traffic. Use --ca instead.');
    }
    const source = optionalIdentitySourceFromArgs(args);
    const identity = source ? new CredentialWatcher(source, { logger }) : undefined;
    await identity?.start(); // fails fast, with the file name and the fix, before the client sends anything
    const upstream = buildUpstream(args, settings, logger, identity);
    await runRelay({
      upstream,
      input: process.stdin,
      output: process.stdout,
      logger,
      ...relay,
      stop: stopSignal(),
    });
    await identity?.close();
    // Leftover handles (file watchers, sockets in teardown) must not keep a closed bridge alive.
    process.exit(0);
  },
};
