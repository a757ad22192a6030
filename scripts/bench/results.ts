/** The JSON a benchmark run writes (scripts/bench/last-run.json) and report.ts turns into BENCHMARKS.md. */
import type { PathId } from './paths';

export const RESULTS_VERSION = 2;

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
  kernel: string;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAvg1: number;
}

export interface LatencyResult {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface ThroughputResult {
  calls: number;
  inFlight: number;
  callsPerS: number;
  failed: number;
}

export interface PayloadResult {
  bytes: number;
  reps: number;
  /** Median wall time of one call, ms. */
  medianMs: number;
  /** bytes / median time, MiB/s. */
  mibPerS: number;
}

export interface ColdStartResult {
  spawns: number;
  /** Spawn (or, for in-process paths, transport creation) → `initialize` answered; median ms. */
  initializeMs: number;
  /** Spawn → first `tools/list` answered; median ms. */
  toolsListMs: number;
  initializeSamplesMs: number[];
}

export interface MemoryResult {
  callsAtFirst: number;
  /** Right after the warm-up calls. */
  rssAtFirstKiB: number;
  /** After the warm-up and then this many seconds without calls: what a host's idle bridge holds. */
  idleSeconds: number;
  rssIdleKiB: number;
  /** After the first half of the concurrent calls: the plateau for that load. */
  callsAtMid: number;
  rssAtMidKiB: number;
  callsAtLast: number;
  rssAtLastKiB: number;
  /** VmHWM over the echo calls (reset after the payloads). */
  peakDuringCallsKiB: number;
  /** VmHWM while relaying each payload size ('1MiB', '8MiB'), reset before each; measured after the idle sample. */
  peakDuringPayloadKiB: Record<string, number>;
  /** False when the kernel refused to reset VmHWM: the peaks are then lifetime peaks. */
  payloadPeakIsolated: boolean;
}

export interface RenewalResult {
  durationS: number;
  renewalEveryS: number;
  renewals: number;
  calls: number;
  failed: number;
  inFlight: number;
  callsPerS: number;
  /** A few failure messages, for diagnosis. */
  failures: string[];
}

/** server-everything served as one kind of app, through path 3. */
export interface AppTypeResult {
  coldStart: ColdStartResult;
  latency: LatencyResult;
}

/** One client × upstream combination on one stdio hop (eras.ts). */
export interface EraRow {
  /** 'bridge' (`mcp-bridge connect --url`), 'mcp-remote-auto' (`mcp-remote --protocol auto`), 'bridge-teleport'. */
  hop: string;
  client: string;
  upstream: string;
  /** The era the client settled on. */
  era?: string;
  /** Spawn → connected (the SDK's connect(), era negotiation included), median over `connects`. */
  connectMs?: number;
  connects: number;
  /** Sequential echo calls on one connection. */
  latency?: LatencyResult;
  /** App certificates issued per connect (Teleport hop only). */
  reissuesPerConnect?: number;
  error?: string;
}

export interface EraResults {
  rows: EraRow[];
}

/** Per-call use: spawn → initialize → tools/list → tools/call → exit, `cycles` times in a row. */
export interface PerCallResult {
  cycles: number;
  upstream: string;
  medianMs: number;
  p95Ms: number;
  /** The first cycle; for (3) it starts with an empty certificate cache and issues the app certificate. */
  firstMs: number;
  samplesMs: number[];
  /** (3): app certificates the cluster issued during the cycles (all in one identity generation). */
  reissues?: number;
  /** (3): after a tbot renewal (a new generation), `processes` started at once. */
  burst?: { processes: number; reissues: number; initializeMedianMs: number };
}

/** The stdio process after its host died while its stdin stayed open (kill -9 of the host). */
export interface OrphanResult {
  runs: number;
  /** Host killed → process exited, over the runs where it exited. */
  medianMs?: number;
  maxMs?: number;
  /** Runs where it was still running after `stillRunningAfterMs` (then killed). */
  stillRunning: number;
  stillRunningAfterMs?: number;
}

/** One measurement section; `error` instead of numbers when it could not run (the run goes on). */
export type Section<T> = T | { error: string };

export interface PathResult {
  id: PathId;
  name: string;
  description: string;
  viaProcess: boolean;
  coldStart?: Section<ColdStartResult>;
  /** Keyed by upstream: 'everything', 'demo'. */
  latency: Record<string, Section<LatencyResult>>;
  throughput: Record<string, Section<ThroughputResult>>;
  /** Keyed by '1MiB', '8MiB' (demo server `payload`). */
  payload?: Section<Record<string, PayloadResult>>;
  memory?: Section<MemoryResult>;
  /** Bridge process CPU over the sequential echo calls. */
  cpuMsPer1000Calls?: number;
  renewal?: Section<RenewalResult>;
  /** Path 3 only, keyed by app type ('streamable-http', 'stdio', 'sse'): the same server as each kind of app. */
  appTypes?: Record<string, Section<AppTypeResult>>;
  perCall?: Section<PerCallResult>;
  orphanExit?: Section<OrphanResult>;
}

export interface BenchResults {
  version: typeof RESULTS_VERSION;
  mode: 'quick' | 'full';
  command: string;
  startedAt: string;
  durationS: number;
  machine: Machine;
  paths: PathResult[];
  /** Connect time and call latency per era combination (issue 11); absent from runs made before it. */
  eras?: Section<EraResults>;
}

export function isError<T>(section: Section<T> | undefined): section is { error: string } {
  return typeof section === 'object' && section !== null && 'error' in section && typeof (section as { error: unknown }).error === 'string';
}
