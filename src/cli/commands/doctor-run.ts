import { asBridgeError, BridgeError } from '../../errors/catalogue';
import { renderDoctorJson, renderDoctorText, runDoctor, type DoctorOptions } from '../../doctor';
import { parseProxyAddress } from '../../teleport';
import { cacheFromArgs } from '../cache-options';
import { connectionFromArgs, readCaFiles, warnIfInsecure } from '../connection-options';
import { exitCodes } from '../exit-codes';
import { loggerFromArgs } from '../global-options';
import { identitySourceFromArgs } from '../identity-options';
import type { DoctorArgs } from './doctor';

/** Everything doctor needs from the command line; a problem here is a usage error, not a failed check. */
function optionsFromArgs(args: DoctorArgs): DoctorOptions {
  const settings = connectionFromArgs(args);
  if (!settings.proxy) throw new BridgeError('CONFIG_INVALID', 'Pass --proxy host:port (or TELEPORT_PROXY), the Teleport web address.');
  const proxy = parseProxyAddress(settings.proxy);
  const logger = loggerFromArgs(args);
  warnIfInsecure(settings, logger, proxy.hostPort);
  return {
    source: identitySourceFromArgs(args),
    proxy,
    app: args.app || undefined,
    extraCAs: readCaFiles(args.ca),
    insecure: settings.insecure,
    headers: settings.headers,
    logger,
    cache: cacheFromArgs(args, logger, { create: false }),
  };
}

/** `mcp-bridge doctor`: runs the checklist and prints it. */
export async function runDoctorCommand(args: DoctorArgs): Promise<void> {
  let options: DoctorOptions;
  try {
    options = optionsFromArgs(args);
  } catch (err) {
    process.stderr.write(`mcp-bridge: ${asBridgeError(err).message}\n`);
    process.exitCode = exitCodes.USAGE;
    return;
  }
  const report = await runDoctor(options);
  process.stdout.write(args.json ? renderDoctorJson(report) : renderDoctorText(report)); // stdout-ok: the checklist is this command's output
  process.exitCode = report.ok ? exitCodes.OK : exitCodes.FAILURE;
}
