import yargs from 'yargs';

export interface DemoOptions {
  /** Stop by itself after this many seconds; undefined runs until Ctrl-C. */
  durationSeconds?: number;
  renewEverySeconds: number;
  callsPerSecond: number;
  concurrency: number;
}

/** yargs calls coerce only for options given or defaulted, so `value` is always there. */
const positive = (name: string) => (value: number): number => {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a number greater than 0`);
  return value;
};

/** `npm run demo -- [options]`; yargs prints --help and exits on bad input. */
export function parseDemoOptions(argv: string[]): DemoOptions {
  const args = yargs(argv)
    .scriptName('npm run demo --')
    .usage('$0 [options]\n\nRuns a local Teleport test cluster, tbot and mcp-bridge under an MCP client, calling tools across renewals.')
    .option('duration', { type: 'number', describe: 'Stop after this many seconds (default: run until Ctrl-C)', coerce: positive('duration') })
    .option('renew-every', { type: 'number', default: 5, describe: 'tbot renewal interval, seconds', coerce: positive('renew-every') })
    .option('calls-per-second', { type: 'number', default: 10, describe: 'Tool calls started per second, all workers together', coerce: positive('calls-per-second') })
    .option('concurrency', { type: 'number', default: 2, describe: 'Calls in flight at once', coerce: positive('concurrency') })
    .strict()
    .version(false)
    .help()
    .parseSync();
  return {
    durationSeconds: args.duration,
    renewEverySeconds: args.renewEvery,
    callsPerSecond: args.callsPerSecond,
    concurrency: Math.ceil(args.concurrency),
  };
}
