import { asBridgeError, BridgeError } from '../../errors/catalogue';
import { CredentialWatcher, type IdentitySource } from '../../identity';
import type { Logger } from '../../log/logger';
import { runRelay } from '../../mcp/relay';
import type { Upstream } from '../../upstream/types';
import type { CacheStore } from '../../cache';
import { cacheFromArgs, eraStoreOf } from '../cache-options';
import { connectionFromArgs, readCaFiles, warnIfInsecure, type ConnectionSettings } from '../connection-options';
import { exitCodes } from '../exit-codes';
import { loggerFromArgs } from '../global-options';
import { optionalIdentitySourceFromArgs } from '../identity-options';
import { parentGone } from '../parent-watch';
import { relaySettingsFromArgs, type RelayArgs } from '../relay-options';
import type { ConnectArgs } from './connect';

/** How long after its first read tbot's files start being watched (tbot renews every 20 min; a read catches up). */
const WATCH_DELAY_MS = 1_000;
/**
 * The upstream's start-up (identity, proxy, app certificate) begins with the first request that needs the server: a
 * process answered without it (an SDK v2 client's era probe, from the era cache) does none. One that nothing asked yet
 * starts anyway this long after launch: a host that spawns early and asks later still finds it ready, and a person
 * trying the command in a terminal sees what is wrong without typing a request.
 */
const START_ANYWAY_MS = 200;

/**
 * Checks the arguments and creates the upstream; throws only usage errors (CONFIG_INVALID). Anything that depends on
 * the outside world (identity files, proxy, app) is left to upstream.ready(), so it reaches the client as a
 * JSON-RPC error and clears up without a restart.
 */
async function buildUpstream(
  args: ConnectArgs,
  settings: ConnectionSettings,
  logger: Logger,
  source: IdentitySource | undefined,
  cache: CacheStore | undefined,
): Promise<{ upstream: Upstream; identity?: CredentialWatcher }> {
  const reportStartFailure = startFailureReporter(logger);
  // Read when the upstream first needs it, watched a moment later: a process a host starts for one tool call is gone
  // by then and never pays for watching (chokidar scanning the directory). Never fails: ready() reports unusable files.
  const watcherOf = (s: IdentitySource) => new CredentialWatcher(s, { logger, watchAfterFirstUseMs: WATCH_DELAY_MS });
  if (settings.url) {
    const { createDirectUpstream } = await import('../../upstream/direct');
    // With an identity, --ca already is part of its CAs (explicit --cert/--key/--ca); without one it only adds trust roots.
    const extraCAs = source ? [] : readCaFiles(args.ca);
    const identity = source && watcherOf(source);
    const upstream = createDirectUpstream({ url: settings.url, headers: settings.headers, identity, extraCAs, insecure: settings.insecure, logger, reportStartFailure });
    return { upstream, identity };
  }
  if (!args.app) throw new BridgeError('CONFIG_INVALID', 'Name the MCP app to connect to (or MCP_BRIDGE_APP), or pass --url.');
  if (!settings.proxy) throw new BridgeError('CONFIG_INVALID', 'Pass --proxy host:port (or TELEPORT_PROXY), or --url.');
  if (!source) throw new BridgeError('CONFIG_INVALID', 'Pass -i with the tbot identity (or TELEPORT_IDENTITY_FILE).');
  const extraCAs = readCaFiles(args.ca);
  // Loaded only on this path, and not through the folder's index: that would evaluate the Auth Service client
  // (protobufjs) at every start, which a start served from the certificate cache never needs.
  const { createTeleportUpstream } = await import('../../teleport/app-upstream');
  const identity = watcherOf(source);
  const upstream = createTeleportUpstream({
    proxy: settings.proxy,
    app: args.app,
    identity,
    extraCAs,
    insecure: settings.insecure,
    headers: settings.headers,
    logger,
    cache,
    reportStartFailure,
  });
  return { upstream, identity };
}

/**
 * A failed start-up is said on stderr (once per cause); every request meanwhile gets it as a JSON-RPC error, and
 * tries the start-up again.
 */
function startFailureReporter(logger: Logger): (error: BridgeError) => void {
  let last: string | undefined;
  return (error) => {
    if (error.message === last) return;
    last = error.message;
    logger.error('cannot reach the MCP server yet; requests are answered with this error until it clears (no restart needed)', { error: error.message });
  };
}

/** Resolves on the first SIGTERM or SIGINT (the client is closing us), or once the client is gone without a word. */
function stopSignal(logger: Logger): Promise<void> {
  const orphaned = parentGone().then(() => logger.info('the process that started mcp-bridge is gone; closing'));
  return Promise.race([
    orphaned,
    new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    }),
  ]);
}

/** `mcp-bridge connect`: relays stdio to the upstream until the client closes stdin or signals. */
export async function runConnect(args: ConnectArgs): Promise<void> {
  const logger = loggerFromArgs(args);
  let built: Awaited<ReturnType<typeof buildUpstream>>;
  let relay: RelayArgs;
  // One cache for the process: the Teleport path keeps certificates and the proxy's answers there, both paths the era.
  const cache = cacheFromArgs(args, logger);
  try {
    const settings = connectionFromArgs(args);
    relay = relaySettingsFromArgs(args);
    warnIfInsecure(settings, logger, settings.url?.host ?? settings.proxy ?? 'the server');
    built = await buildUpstream(args, settings, logger, optionalIdentitySourceFromArgs(args), cache);
  } catch (err) {
    const e = asBridgeError(err);
    if (e.tag !== 'CONFIG_INVALID') throw e;
    process.stderr.write(`mcp-bridge: ${e.message}\nRun with --help for usage.\n`);
    process.exit(exitCodes.USAGE);
  }
  const { upstream, identity } = built;
  const startAnyway = setTimeout(() => upstream.ready().catch(() => undefined), START_ANYWAY_MS);
  const relayed = runRelay({
    upstream,
    input: process.stdin,
    output: process.stdout,
    logger,
    ...relay,
    eraStore: cache && eraStoreOf(cache),
    stop: stopSignal(logger),
  });
  // Whatever arrives first says what this process is for: requests start the upstream when they need it.
  process.stdin.once('data', () => clearTimeout(startAnyway));
  await relayed;
  clearTimeout(startAnyway);
  await identity?.close();
  // Leftover handles (file watchers, sockets in teardown) must not keep a closed bridge alive.
  process.exit(0);
}
