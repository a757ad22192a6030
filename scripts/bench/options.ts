import { PATH_IDS, type PathId } from './paths';

/** How much work each measurement does. `--quick` is a smoke run: every code path, tiny counts. */
export interface Counts {
  coldStarts: number;
  /** Calls before the first RSS sample (the "after 100 calls" point). */
  warmup: number;
  /** Quiet seconds after the warm-up before the idle RSS sample (V8 shrinks an idle heap after several seconds). */
  idleSeconds: number;
  /** Sequential echo calls for p50/p99 and CPU time. */
  sequential: number;
  inFlight: number;
  /** Concurrent calls on the everything upstream (throughput only). */
  concurrent: number;
  /** Total calls on the demo session before the last RSS sample (the "after 10 000 calls" point). */
  totalCalls: number;
  payloadReps: number;
  renewalSeconds: number;
  renewalEverySeconds: number;
  /** Connects per era combination (each a cold spawn, two for an SDK v2 `auto` client over stdio). */
  eraConnects: number;
  /** Sequential echo calls per era combination. */
  eraCalls: number;
  /** Per-call cycles (spawn → initialize → tools/list → tools/call → exit) per path, in interleaved rounds. */
  perCallCycles: number;
  /** Processes started at once after a renewal (path 3). */
  burstProcesses: number;
  /** Orphaned-process runs per stdio path. */
  orphanRuns: number;
}

export const FULL: Counts = {
  coldStarts: 9,
  warmup: 100,
  idleSeconds: 10,
  sequential: 1000,
  inFlight: 64,
  concurrent: 2000,
  totalCalls: 10_000,
  payloadReps: 5,
  renewalSeconds: 20,
  renewalEverySeconds: 2,
  eraConnects: 7,
  eraCalls: 300,
  perCallCycles: 20,
  burstProcesses: 8,
  orphanRuns: 5,
};

export const QUICK: Counts = {
  coldStarts: 2,
  warmup: 5,
  idleSeconds: 2,
  sequential: 20,
  inFlight: 64,
  concurrent: 128,
  totalCalls: 200,
  payloadReps: 1,
  renewalSeconds: 4.5,
  renewalEverySeconds: 2,
  eraConnects: 1,
  eraCalls: 10,
  perCallCycles: 3,
  burstProcesses: 3,
  orphanRuns: 1,
};

export const PAYLOAD_SIZES: Record<string, number> = { '1MiB': 1024 * 1024, '8MiB': 8 * 1024 * 1024 };

export interface BenchOptions {
  quick: boolean;
  paths: PathId[];
  /** Where the JSON results go. */
  out: string;
  /** Where BENCHMARKS.md goes; undefined = no report (the default for --quick). */
  report?: string;
  /** Measure the MCP era combinations too (default; --no-eras skips them). */
  eras: boolean;
}

const USAGE = 'usage: npx tsx scripts/bench/index.ts [--quick] [--paths 1,2,3,4,5,6] [--no-eras] [--out results.json] [--report BENCHMARKS.md | --no-report]';

export function parseOptions(argv: string[], defaults: { out: string; report: string }): BenchOptions {
  const options: BenchOptions = { quick: false, paths: [...PATH_IDS], out: defaults.out, eras: true };
  let report: string | null | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--no-eras') options.eras = false;
    else if (arg === '--out') options.out = value();
    else if (arg === '--report') report = value();
    else if (arg === '--no-report') report = null;
    else if (arg === '--paths') {
      const ids = value().split(',').map(Number);
      const unknown = ids.filter((id) => !PATH_IDS.includes(id as PathId));
      if (unknown.length) throw new Error(`unknown path ${unknown.join(', ')}; paths are ${PATH_IDS.join(', ')}\n${USAGE}`);
      options.paths = ids as PathId[];
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  // A quick run is a smoke test: it must not overwrite the published numbers unless asked to.
  options.report = report === null ? undefined : (report ?? (options.quick ? undefined : defaults.report));
  return options;
}
