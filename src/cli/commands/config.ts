import type { Argv, CommandModule } from 'yargs';
import { bridgeServer, serverName, type BridgeServerOptions } from '../../client-config/bridge-server';
import { CLIENT_WRITERS, resolveClientTarget, writeClientConfig } from '../../client-config/clients';
import { installedBridgeLaunch } from '../../client-config/install-location';
import { PRINT_FORMATS, renderServer, type PrintFormat } from '../../client-config/printed-entry';
import { BridgeError } from '../../errors/catalogue';
import type { Logger } from '../../log/logger';
import { DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_OUTPUT_MESSAGE_SIZE } from '../../mcp/limits';
import { withCacheOptions, type CacheArgs } from '../cache-options';
import { connectionFromArgs, withConnectionOptions, type ConnectionArgs } from '../connection-options';
import { relaySettingsFromArgs, withRelayOptions, type RelayArgs } from '../relay-options';
import { loggerFromArgs, type GlobalArgs } from '../global-options';
import { optionalIdentitySourceFromArgs, withIdentityOptions, type IdentityArgs } from '../identity-options';

type ConfigArgs = GlobalArgs & ConnectionArgs & RelayArgs & IdentityArgs & CacheArgs & { app: string; clientConfig?: string; format: PrintFormat };

const CLIENT_IDS = CLIENT_WRITERS.map((w) => w.id).join('|');

/** The connect settings an entry must carry; validated here so a bad flag fails now, not inside the client. */
function serverOptions(args: ConfigArgs): BridgeServerOptions {
  const settings = connectionFromArgs(args);
  const relay = relaySettingsFromArgs(args);
  const identity = optionalIdentitySourceFromArgs(args); // throws on -i with --cert, or --cert without --key
  if (!settings.url && !(identity && settings.proxy)) {
    throw new BridgeError('CONFIG_INVALID', 'Pass -i with the tbot identity and --proxy host:port, or --url.');
  }
  return {
    app: args.app,
    identity: args.identity,
    cert: args.cert,
    key: args.key,
    proxy: settings.url ? undefined : settings.proxy,
    url: settings.url?.href,
    cas: args.ca,
    headers: args.header, // only -H: a shell's MCP_BRIDGE_HEADERS is not copied into a file
    insecure: settings.insecure,
    autoReconnect: relay.autoReconnect ? undefined : false,
    keepClientCapabilities: relay.keepClientCapabilities ? true : undefined,
    maxMessageSize: relay.maxMessageSize === DEFAULT_MAX_MESSAGE_SIZE ? undefined : relay.maxMessageSize,
    maxOutputMessageSize: relay.maxOutputMessageSize === DEFAULT_MAX_OUTPUT_MESSAGE_SIZE ? undefined : relay.maxOutputMessageSize,
    cache: args.cache ? undefined : false,
    cacheDir: args.cache ? args.cacheDir : undefined,
  };
}

async function runConfig(args: ConfigArgs, logger: Logger): Promise<void> {
  const options = serverOptions(args);
  if (options.insecure) logger.warn('The entry turns TLS verification off (MCP_BRIDGE_INSECURE) for as long as it stays in the config.');
  const name = serverName(args.app);
  const server = bridgeServer(options, installedBridgeLaunch());

  if (!args.clientConfig) {
    process.stdout.write(renderServer(args.format, name, server)); // stdout-ok: the entry is this command's output
    return;
  }
  const target = resolveClientTarget(args.clientConfig);
  const result = await writeClientConfig(target, name, server);
  if (result.droppedComments) {
    logger.warn('Comments in the config file were not kept; the previous file, with them, is the backup.', { backup: result.backupPath });
  }
  const summary = {
    created: `Created ${result.path} with ${name}.`,
    updated: `Added ${name} to ${result.path} (previous file: ${result.backupPath}).`,
    unchanged: `${result.path} already has this ${name}; nothing changed.`,
  }[result.status];
  process.stdout.write(`${summary}\nRestart ${target.writer.label} to load it.\n`); // stdout-ok: not a relay
}

export const configCommand: CommandModule<GlobalArgs, ConfigArgs> = {
  command: 'config <app>',
  describe: 'Print, or merge into an MCP client config, an entry that runs `mcp-bridge connect <app>`',
  builder: (y: Argv<GlobalArgs>) =>
    withCacheOptions(withIdentityOptions(withRelayOptions(withConnectionOptions(y, { url: true }))))
      .positional('app', { type: 'string', demandOption: true, describe: 'MCP app name; the entry is named teleport-mcp-<app>' })
      .option('client-config', {
        type: 'string',
        describe: `Merge the entry into this client's config file (${CLIENT_IDS}), or into the Claude-format JSON file at this PATH; the previous file is kept as <file>.bak`,
      })
      .option('format', {
        choices: PRINT_FORMATS,
        default: 'json' as PrintFormat,
        describe: 'What to print without --client-config: the mcpServers JSON, or a runnable LangChain MultiServerMCPClient program',
      })
      .check((a) => {
        if (a['client-config'] !== undefined && a.format !== 'json') throw new Error('--format applies only when printing; drop it or --client-config.');
        return true;
      })
      .example('$0 config docs -i /opt/machine-id/identity --proxy example.teleport.sh:443 --client-config claude', 'add to Claude Desktop')
      .example('$0 config docs -i /opt/machine-id/identity --proxy example.teleport.sh:443 --format langgraph-js > docs.mjs', 'a LangChain.js program') as unknown as Argv<ConfigArgs>,
  handler: async (args) => runConfig(args, loggerFromArgs(args)),
};
