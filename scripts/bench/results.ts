/** The JSON a benchmark run writes (scripts/bench/last-run.json) and report.ts turns into BENCHMARKS.md. */
import type { PathId } from './paths';

export const RESULTS_VERSION = 1;

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
  rssAtFirstKiB: number;
  /** After the first half of the concurrent calls: the plateau for that load. */
  callsAtMid: number;
  rssAtMidKiB: number;
  callsAtLast: number;
  rssAtLastKiB: number;
  /** VmHWM over the echo calls. */
  peakDuringCallsKiB: number;
  /** VmHWM over the payload phase only (reset before it), 1 MiB and 8 MiB results. */
  peakDuringPayloadKiB: number;
  /** False when the kernel refused to reset VmHWM: the payload peak is then the lifetime peak. */
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
