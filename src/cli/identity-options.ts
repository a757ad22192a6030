import { delimiter } from 'node:path';
import type { Argv } from 'yargs';
import { BridgeError } from '../errors/catalogue';
import type { IdentitySource } from '../identity';

export interface IdentityArgs {
  identity?: string;
  cert?: string;
  key?: string;
  ca?: string[];
}

const nonEmpty = (v: string | undefined) => (v && v.trim() !== '' ? v : undefined);

/**
 * Fills unset options from the environment. Env values apply only when the command line names no identity at all,
 * so `--cert/--key` on the command line is not a conflict with a TELEPORT_IDENTITY_FILE set for other tools.
 */
function applyIdentityEnv(args: IdentityArgs, env: NodeJS.ProcessEnv = process.env): void {
  if (args.identity === undefined && args.cert === undefined && args.key === undefined) {
    args.identity = nonEmpty(env.TELEPORT_IDENTITY_FILE) ?? nonEmpty(env.MCP_BRIDGE_IDENTITY);
    if (args.identity === undefined) {
      args.cert = nonEmpty(env.MCP_BRIDGE_CERT);
      args.key = nonEmpty(env.MCP_BRIDGE_KEY);
    }
  }
  if (args.ca === undefined && nonEmpty(env.MCP_BRIDGE_CA)) args.ca = env.MCP_BRIDGE_CA!.split(delimiter).filter((p) => p !== '');
}

/** -i/--identity, or --cert + --key; --ca for extra trusted CAs. Each has an environment equivalent. */
export function withIdentityOptions<T>(y: Argv<T>): Argv<T & IdentityArgs> {
  return y
    .option('identity', {
      alias: 'i',
      type: 'string',
      describe: "tbot destination directory, or a Teleport identity file [env TELEPORT_IDENTITY_FILE, MCP_BRIDGE_IDENTITY]",
    })
    .option('cert', { type: 'string', describe: 'Client certificate PEM, instead of -i [env MCP_BRIDGE_CERT]' })
    .option('key', { type: 'string', describe: 'Private key PEM for --cert [env MCP_BRIDGE_KEY]' })
    .option('ca', {
      type: 'string',
      array: true,
      describe: `Extra trusted CA certificates (PEM) for verifying servers; with --cert/--key also the identity's CAs [env MCP_BRIDGE_CA, "${delimiter}"-separated]`,
    })
    .group(['identity', 'cert', 'key', 'ca'], 'Identity:')
    .middleware((argv) => applyIdentityEnv(argv as IdentityArgs)) as unknown as Argv<T & IdentityArgs>;
}

/** The identity to use, or undefined when none was given (e.g. --url without mutual TLS). Conflicts still throw. */
export function optionalIdentitySourceFromArgs(args: IdentityArgs): IdentitySource | undefined {
  const { identity, cert, key } = args;
  if (identity !== undefined && (cert !== undefined || key !== undefined)) {
    throw new BridgeError('CONFIG_INVALID', 'Pass either -i (tbot output) or --cert with --key, not both.');
  }
  if (identity !== undefined) return { kind: 'path', path: identity };
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new BridgeError('CONFIG_INVALID', `--${cert === undefined ? 'key' : 'cert'} needs --${cert === undefined ? 'cert' : 'key'} as well (or use -i with tbot's output).`);
  }
  return { kind: 'explicit', certFile: cert, keyFile: key, caFiles: args.ca ?? [] };
}

export function identitySourceFromArgs(args: IdentityArgs): IdentitySource {
  const source = optionalIdentitySourceFromArgs(args);
  if (!source) {
    throw new BridgeError('CONFIG_INVALID', 'No identity given: pass -i with the tbot destination directory or identity file (or set TELEPORT_IDENTITY_FILE), or --cert and --key.');
  }
  return source;
}
