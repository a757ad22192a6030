import { setTimeout as sleep } from 'node:timers/promises';
import { APP_TYPES, type BenchUpstream } from './fixture-protocol';
import type { Fixtures } from './fixtures-client';
import { coldStart, echoCall, latencySummary, load, payloads, sequential } from './measure';
import { PAYLOAD_SIZES, type Counts } from './options';
import { join } from 'node:path';
import { orphanExit } from './orphan';
import { openBridgeToApp, openSession, PATHS, stdioArgs, type PathId, type PathSession } from './paths';
import { burst, cycleSummary, interleavedCycles } from './per-call';
import { resetPeak, sampleProcess } from './proc-stats';
import type { AppTypeResult, LatencyResult, MemoryResult, PathResult, PayloadResult, PerCallResult, RenewalResult, Section, ThroughputResult } from './results';
import { round } from './stats';

type Progress = (message: string) => void;

/** Runs one measurement; a failure becomes `{ error }` in the results and the run goes on. */
async function section<T>(name: string, progress: Progress, run: () => Promise<T>): Promise<Section<T>> {
  try {
    return await run();
  } catch (err) {
    progress(`  ${name} failed: ${(err as Error).message}`);
    return { error: (err as Error).message };
  }
}

async function withSession<T>(open: () => Promise<PathSession>, use: (session: PathSession) => Promise<T>): Promise<T> {
  const session = await open();
  try {
    return await use(session);
  } catch (err) {
    const stderr = session.stderr().trim();
    throw new Error(stderr ? `${(err as Error).message}; stderr: ${stderr.slice(-500)}` : (err as Error).message);
  } finally {
    await session.close();
  }
}

/** Latency (sequential) and throughput (concurrent) of echo on one upstream. */
async function echoOnly(session: PathSession, upstream: string, counts: Counts): Promise<{ latency: LatencyResult; throughput: ThroughputResult }> {
  const call = echoCall(session.client, upstream);
  await sequential(call, counts.warmup);
  const latency = latencySummary(await sequential(call, counts.sequential));
  const { failures: _failures, ...throughput } = await load(call, { inFlight: counts.inFlight, total: counts.concurrent });
  return { latency, throughput };
}

interface DemoRun {
  latency: LatencyResult;
  throughput: ThroughputResult;
  payload: Section<PathResult['payload']>;
  memory?: MemoryResult;
  cpuMsPer1000Calls?: number;
}

/**
 * The demo-server session: after the warm-up, RSS right away and again after `idleSeconds` without calls; then the
 * 1 and 8 MiB payloads with the peak (VmHWM, reset before each size) while relaying each, from that warm, idle state
 * (what one large result costs, apart from what a burst of calls leaves behind); then echo latency with the bridge's
 * CPU over those calls, and the concurrent calls with RSS half-way and at the end.
 */
async function demoRun(session: PathSession, counts: Counts, progress: Progress): Promise<DemoRun> {
  const { pid } = session;
  const call = echoCall(session.client, 'demo');
  await sequential(call, counts.warmup);
  const first = pid ? sampleProcess(pid) : undefined;
  if (pid) await sleep(counts.idleSeconds * 1000);
  const idle = pid ? sampleProcess(pid) : undefined;
  const peaks: Record<string, number> = {};
  let isolated = true;
  const payload = await section('payload', progress, async () => {
    const results: Record<string, PayloadResult> = {};
    for (const [label, bytes] of Object.entries(PAYLOAD_SIZES)) {
      isolated = (pid ? resetPeak(pid) : false) && isolated;
      Object.assign(results, await payloads(session.client, { [label]: bytes }, counts.payloadReps));
      if (pid) peaks[label] = sampleProcess(pid).peakKiB;
    }
    return results;
  });
  isolated = (pid ? resetPeak(pid) : false) && isolated; // the echo calls' peak is their own
  const beforeSequential = pid ? sampleProcess(pid) : undefined;
  const samples = await sequential(call, counts.sequential);
  const afterSequential = pid ? sampleProcess(pid) : undefined;
  // Two equal concurrent halves: RSS after the first vs after the second tells a leak from a higher plateau.
  const half = Math.ceil(Math.max(0, counts.totalCalls - counts.warmup - counts.sequential) / 2);
  const firstHalf = await load(call, { inFlight: counts.inFlight, total: half });
  const mid = pid ? sampleProcess(pid) : undefined;
  const secondHalf = await load(call, { inFlight: counts.inFlight, total: half });
  const last = pid ? sampleProcess(pid) : undefined;
  const throughput: ThroughputResult = {
    calls: firstHalf.calls + secondHalf.calls,
    inFlight: counts.inFlight,
    callsPerS: round((firstHalf.callsPerS + secondHalf.callsPerS) / 2, 1),
    failed: firstHalf.failed + secondHalf.failed,
  };
  const run: DemoRun = { latency: latencySummary(samples), throughput, payload };
  if (first && idle && beforeSequential && afterSequential && mid && last) {
    run.cpuMsPer1000Calls = round(((afterSequential.cpuMs - beforeSequential.cpuMs) / counts.sequential) * 1000, 1);
    run.memory = {
      callsAtFirst: counts.warmup,
      rssAtFirstKiB: first.rssKiB,
      idleSeconds: counts.idleSeconds,
      rssIdleKiB: idle.rssKiB,
      callsAtMid: counts.warmup + counts.sequential + firstHalf.calls,
      rssAtMidKiB: mid.rssKiB,
      callsAtLast: counts.warmup + counts.sequential + throughput.calls,
      rssAtLastKiB: last.rssKiB,
      peakDuringCallsKiB: last.peakKiB,
      peakDuringPayloadKiB: peaks,
      payloadPeakIsolated: isolated,
    };
  }
  return run;
}

/** Path 3 under tbot renewing every few seconds: every renewal means a new app certificate and a pool rotation. */
async function renewalRun(session: PathSession, fixtures: Fixtures, counts: Counts): Promise<RenewalResult> {
  const call = echoCall(session.client, 'demo');
  let done = false;
  let renewals = 0;
  const renewer = (async () => {
    while (!done) {
      await sleep(counts.renewalEverySeconds * 1000);
      if (done) break;
      await fixtures.renew();
      renewals++;
    }
  })();
  const deadline = Date.now() + counts.renewalSeconds * 1000;
  const outcome = await load(call, { inFlight: counts.inFlight, until: () => Date.now() >= deadline });
  done = true;
  await renewer;
  return { durationS: counts.renewalSeconds, renewalEveryS: counts.renewalEverySeconds, renewals, ...outcome };
}

/**
 * Per-call cycles on the demo server, in interleaved rounds across `ids` (one run's ratios). Path 3 starts from an
 * empty certificate cache of its own and counts what the cluster issued: over the cycles (one identity generation),
 * then for a burst of processes started at once after a tbot renewal.
 */
export async function runPerCall(ids: readonly PathId[], fixtures: Fixtures, counts: Counts, progress: Progress): Promise<Map<PathId, Section<PerCallResult>>> {
  const { demo } = fixtures.info.upstreams;
  const options = { cacheDir: join(fixtures.info.scratchDir, 'cache-per-call') };
  const open = (id: PathId) => () => openSession(id, fixtures.info, demo, options);
  progress(`paths ${ids.join(', ')}: ${counts.perCallCycles} rounds of per-call cycles (spawn → initialize → tools/list → tools/call → exit)`);
  const before = await fixtures.countReissues();
  const samples = await interleavedCycles(new Map(ids.map((id) => [id, open(id)])), 'demo', counts.perCallCycles);
  const afterCycles = await fixtures.countReissues();
  const results = new Map<PathId, Section<PerCallResult>>();
  for (const [id, outcome] of samples) {
    if (outcome instanceof Error) {
      progress(`  per-call cycles of path ${id} failed: ${outcome.message}`);
      results.set(id, { error: outcome.message });
    } else {
      results.set(id, { ...cycleSummary(outcome, 'demo'), ...(id === 3 ? { reissues: afterCycles - before } : {}) });
    }
  }
  const teleport = results.get(3);
  if (teleport && !('error' in teleport)) {
    progress(`path 3: ${counts.burstProcesses} processes at once after a tbot renewal`);
    const burstResult = await section('burst', progress, async () => {
      await fixtures.renew();
      const initializeMedianMs = await burst(open(3), 'demo', counts.burstProcesses);
      return { processes: counts.burstProcesses, reissues: (await fixtures.countReissues()) - afterCycles, initializeMedianMs };
    });
    if (!('error' in burstResult)) teleport.burst = burstResult;
  }
  await fixtures.clearRecorder();
  return results;
}

/** Cold start and sequential echo latency of server-everything served as one kind of app, through path 3. */
async function appTypeRun(app: string, fixtures: Fixtures, counts: Counts): Promise<AppTypeResult> {
  const open = () => openBridgeToApp(fixtures.info, app);
  const start = await coldStart(open, counts.coldStarts);
  const latency = await withSession(open, async (s) => {
    const call = echoCall(s.client, 'everything');
    await sequential(call, counts.warmup);
    return latencySummary(await sequential(call, counts.sequential));
  });
  return { coldStart: start, latency };
}

export async function runPath(id: PathId, fixtures: Fixtures, counts: Counts, progress: Progress): Promise<PathResult> {
  const spec = PATHS[id];
  const { everything, demo } = fixtures.info.upstreams;
  const open = (upstream: BenchUpstream) => () => openSession(id, fixtures.info, upstream);
  const result: PathResult = { ...spec, latency: {}, throughput: {} };

  progress(`path ${id} (${spec.name}): cold start`);
  result.coldStart = await section('cold start', progress, () => coldStart(open(demo), counts.coldStarts));

  progress(`path ${id} (${spec.name}): echo on server-everything`);
  const echo = await section('server-everything', progress, () => withSession(open(everything), (s) => echoOnly(s, 'everything', counts)));
  result.latency.everything = 'error' in echo ? echo : echo.latency;
  result.throughput.everything = 'error' in echo ? echo : echo.throughput;
  await fixtures.clearRecorder();

  progress(`path ${id} (${spec.name}): echo, memory and payloads on the demo server`);
  const run = await section('demo server', progress, () => withSession(open(demo), (s) => demoRun(s, counts, progress)));
  if ('error' in run) {
    result.latency.demo = result.throughput.demo = result.payload = run;
  } else {
    Object.assign(result, { payload: run.payload, memory: run.memory, cpuMsPer1000Calls: run.cpuMsPer1000Calls });
    result.latency.demo = run.latency;
    result.throughput.demo = run.throughput;
  }
  await fixtures.clearRecorder();

  if (spec.viaProcess) {
    progress(`path ${id} (${spec.name}): orphaned (host killed, stdin left open)`);
    const args = stdioArgs(id, fixtures.info, demo, { cacheDir: join(fixtures.info.scratchDir, 'cache-per-call') });
    result.orphanExit = await section('orphan exit', progress, () => orphanExit(args, fixtures.info.scratchDir, counts.orphanRuns));
    await fixtures.clearRecorder();
  }

  if (id === 3) {
    progress(`path ${id} (${spec.name}): under renewal every ${counts.renewalEverySeconds} s`);
    result.renewal = await section('renewal', progress, () => withSession(open(demo), (s) => renewalRun(s, fixtures, counts)));
    await fixtures.clearRecorder();
    result.appTypes = {};
    for (const type of APP_TYPES) {
      progress(`path ${id} (${spec.name}): server-everything as a ${type} app`);
      result.appTypes[type] = await section(type, progress, () => appTypeRun(fixtures.info.appTypes[type], fixtures, counts));
      await fixtures.clearRecorder();
    }
  }
  return result;
}
