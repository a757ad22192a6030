import type { Argv } from 'yargs';
import { BridgeError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import { readFileSync } from 'node:fs';

/** How to reach the MCP server: through the Teleport Proxy (proxy + app) or straight to a URL. */
export interface ConnectionArgs {
  proxy?: string;
  url?: string;
  header?: string[];
  insecure: boolean;
}

export interface ConnectionSettings {
  /** Set in --url mode; proxy/app are ignored then. */
  url?: URL;
  proxy?: string;
  headers: Record<string, string>;
  insecure: boolean;
}

/** Headers the relay manages itself: a -H value must not override them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'accept',
  'connection',
  'transfer-encoding',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function envFlag(name: string): boolean | undefined {
  const v = process.env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(v);
}

/**
 * Where to connect, shared by connect, ls, doctor and config; each has an environment equivalent for client configs.
 * `--url` (straight to a server, no Teleport) only where it means something: connect and config.
 */
export function withConnectionOptions<T>(y: Argv<T>, { url }: { url: boolean }): Argv<T & ConnectionArgs> {
  const withUrl = url
    ? y.option('url', {
        type: 'string',
        default: process.env.MCP_BRIDGE_URL,
        describe: 'Connect straight to this Streamable HTTP MCP endpoint instead of through Teleport [env MCP_BRIDGE_URL]',
      })
    : y;
  return withUrl
    .option('proxy', {
      type: 'string',
      default: process.env.MCP_BRIDGE_PROXY ?? process.env.TELEPORT_PROXY,
      describe: 'Teleport Proxy web address, host:port [env MCP_BRIDGE_PROXY, TELEPORT_PROXY]',
    })
    .option('header', {
      alias: 'H',
      type: 'string',
      array: true,
      describe: 'Extra request header "Name: value", repeatable [env MCP_BRIDGE_HEADERS, one per line]',
    })
    .option('insecure', {
      type: 'boolean',
      default: envFlag('MCP_BRIDGE_INSECURE') ?? false,
      describe: "Skip verifying the server's TLS certificate (testing only) [env MCP_BRIDGE_INSECURE]",
    })
    .group([...(url ? ['url'] : []), 'proxy', 'header', 'insecure'], 'Connection:') as unknown as Argv<T & ConnectionArgs>;
}

/** Parses "Name: value" lines (later lines win); errors name the header, never its value. */
export function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!TOKEN.test(name)) {
      throw new BridgeError('CONFIG_INVALID', 'A -H header must look like "Name: value" with a valid header name.');
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new BridgeError('CONFIG_INVALID', `Header ${name} is set by mcp-bridge itself and cannot be given with -H.`);
    }
    const value = line.slice(colon + 1).trim();
    if (/[\r\n\0]/.test(value)) throw new BridgeError('CONFIG_INVALID', `The value of header ${name} contains a line break.`);
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

export function connectionFromArgs(args: ConnectionArgs): ConnectionSettings {
  const envHeaders = (process.env.MCP_BRIDGE_HEADERS ?? '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const headers = parseHeaders([...envHeaders, ...(args.header ?? [])]);
  let url: URL | undefined;
  if (args.url) {
    try {
      url = new URL(args.url);
    } catch {
      throw new BridgeError('CONFIG_INVALID', `--url ${args.url} is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new BridgeError('CONFIG_INVALID', `--url must be http:// or https://, not ${url.protocol}//.`);
    }
  }
  return {
    url,
    proxy: args.proxy,
    headers,
    insecure: args.insecure,
  };
}

/** Reads --ca files (extra trust roots for the server's certificate); a missing file is a usage error naming it. */
export function readCaFiles(files: readonly string[] | undefined): string[] {
  return (files ?? []).map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new BridgeError('CONFIG_INVALID', `--ca ${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: err });
    }
  });
}

/** The one loud warning every command gives when --insecure turns server verification off. */
export function warnIfInsecure(settings: Pick<ConnectionSettings, 'insecure'>, logger: Logger, server: string): void {
  if (!settings.insecure) return;
  logger.warn(`--insecure: the certificate of ${server} is NOT verified; anyone on the network path can read and change this traffic. Use --ca FILE instead outside tests.`);
}
