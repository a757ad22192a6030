import { stringify as toYaml } from 'yaml';
import { asBridgeError, BridgeError, type ErrorTag } from '../../errors/catalogue';
import { authClientForIdentity } from '../../teleport';
import { loadCredentials, validityError } from '../../identity';
import { listMcpApps, parseProxyAddress, pingProxy, type McpApp, type McpTransport } from '../../teleport';
import { connectionFromArgs, readCaFiles, warnIfInsecure } from '../connection-options';
import { exitCodes } from '../exit-codes';
import { loggerFromArgs } from '../global-options';
import { identitySourceFromArgs } from '../identity-options';
import type { LsArgs } from './ls';

/** One app as ls prints it; the app's internal URI stays out (it is the server's address behind Teleport). */
interface ListedApp {
  name: string;
  transport: McpTransport;
  description: string;
  labels: Record<string, string>;
  publicAddr: string;
}

/** Failures of the input itself (arguments, identity files) exit 2, like `identity`; the rest exit 1. */
const USAGE_TAGS = new Set<ErrorTag>(['CONFIG_INVALID', 'IDENTITY_UNREADABLE', 'IDENTITY_INVALID', 'KEY_MISMATCH']);

function listed(app: McpApp): ListedApp {
  const labels = Object.fromEntries(Object.entries(app.labels).sort(([a], [b]) => a.localeCompare(b)));
  return { name: app.name, transport: app.transport, description: app.description, labels, publicAddr: app.publicAddr };
}

/** An aligned table; the last column is not padded so lines carry no trailing blanks. */
function renderAppTable(apps: readonly ListedApp[]): string {
  const rows = [
    ['NAME', 'TRANSPORT', 'DESCRIPTION', 'LABELS'],
    ...apps.map((a) => [
      a.name,
      a.transport,
      a.description || '-',
      Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-',
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]! + 2))).join('')).join('\n') + '\n';
}

async function listApps(args: LsArgs): Promise<ListedApp[]> {
  const logger = loggerFromArgs(args);
  const settings = connectionFromArgs(args);
  if (!settings.proxy) throw new BridgeError('CONFIG_INVALID', 'Pass --proxy host:port (or TELEPORT_PROXY), the Teleport web address.');
  const proxy = parseProxyAddress(settings.proxy);
  const extraCAs = readCaFiles(args.ca);
  const creds = await loadCredentials(identitySourceFromArgs(args));
  for (const warning of creds.warnings) logger.warn(warning);
  const unusable = validityError(creds);
  if (unusable) throw unusable;
  warnIfInsecure(settings, logger, proxy.hostPort);
  // Ping first, as tsh does: it tells an unreachable or untrusted proxy apart from an Auth Service problem.
  await pingProxy(proxy, { extraCAs, insecure: settings.insecure });
  const auth = authClientForIdentity(proxy, creds, logger);
  try {
    return (await listMcpApps(auth)).map(listed);
  } finally {
    await auth.close();
  }
}

/** `mcp-bridge ls`: prints the MCP apps the identity can see. */
export async function runLs(args: LsArgs): Promise<void> {
  let apps: ListedApp[];
  try {
    apps = await listApps(args);
  } catch (err) {
    const e = asBridgeError(err);
    process.stderr.write(`mcp-bridge: ${e.message}\n`);
    process.exitCode = USAGE_TAGS.has(e.tag) ? exitCodes.USAGE : exitCodes.FAILURE;
    return;
  }
  const out = args.format === 'json' ? JSON.stringify(apps, null, 2) + '\n' : args.format === 'yaml' ? toYaml(apps) : apps.length ? renderAppTable(apps) : 'No MCP apps are visible to this identity.\n';
  process.stdout.write(out); // stdout-ok: the list is this command's output
}
