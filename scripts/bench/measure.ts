import { performance } from 'node:perf_hooks';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ColdStartResult, LatencyResult, PayloadResult, ThroughputResult } from './results';
import type { PathSession } from './paths';
import { mean, median, percentile, round } from './stats';

/** The small `tools/call` each upstream answers: server-everything's echo takes `message`, the demo's `text`. */
const ECHO_ARGUMENTS: Record<string, (text: string) => Record<string, unknown>> = {
  everything: (text) => ({ message: text }),
  demo: (text) => ({ text }),
};

export type Call = () => Promise<void>;

/** Throws when the call failed in-band (isError): a benchmark must not count errors as fast answers. */
function checkResult(result: Awaited<ReturnType<Client['callTool']>>, tool: string): void {
  if (result.isError) throw new Error(`${tool} returned isError: ${JSON.stringify(result.content).slice(0, 200)}`);
}

export function echoCall(client: Client, upstream: string): Call {
  const args = ECHO_ARGUMENTS[upstream]('ping');
  return async () => checkResult(await client.callTool({ name: 'echo', arguments: args }), 'echo');
}

/** `n` calls one after another; returns each call's latency in ms. */
export async function sequential(call: Call, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return samples;
}

export function latencySummary(samples: number[]): LatencyResult {
  return { calls: samples.length, p50Ms: round(percentile(samples, 50)), p99Ms: round(percentile(samples, 99)), meanMs: round(mean(samples)) };
}

export interface LoadOutcome extends ThroughputResult {
  failures: string[];
}

const FAILURES_KEPT = 5;

/**
 * Keeps `inFlight` calls outstanding until `total` calls were issued or `until()` says stop; failed calls are
 * counted, not thrown, so a run under faults reports how many failed.
 */
export async function load(call: Call, options: { inFlight: number; total?: number; until?: () => boolean }): Promise<LoadOutcome> {
  let issued = 0;
  let completed = 0;
  let failed = 0;
  const failures: string[] = [];
  const more = () => (options.total === undefined || issued < options.total) && !(options.until?.() ?? false);
  const worker = async () => {
    while (more()) {
      issued++;
      try {
        await call();
      } catch (err) {
        failed++;
        if (failures.length < FAILURES_KEPT) failures.push((err as Error).message);
      }
      completed++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { calls: completed, inFlight: options.inFlight, callsPerS: round(completed / seconds, 1), failed, failures };
}

/** `reps` calls of the demo server's `payload` tool per size, each result checked for its exact length. */
export async function payloads(client: Client, sizes: Record<string, number>, reps: number): Promise<Record<string, PayloadResult>> {
  const results: Record<string, PayloadResult> = {};
  for (const [label, bytes] of Object.entries(sizes)) {
    const samples: number[] = [];
    for (let i = 0; i < reps; i++) {
      const start = performance.now();
      const result = await client.callTool({ name: 'payload', arguments: { bytes } });
      samples.push(performance.now() - start);
      checkResult(result, 'payload');
      const text = (result.content as Array<{ type: string; text?: string }>)[0]?.text ?? '';
      if (text.length !== bytes) throw new Error(`payload of ${bytes} bytes arrived with ${text.length}`);
    }
    const ms = median(samples);
    results[label] = { bytes, reps, medianMs: round(ms), mibPerS: round(bytes / 1024 / 1024 / (ms / 1000), 1) };
  }
  return results;
}

/** Spawn (or connect) → `initialize` answered → first `tools/list` answered, `spawns` times; medians. */
export async function coldStart(open: () => Promise<PathSession>, spawns: number): Promise<ColdStartResult> {
  const initialize: number[] = [];
  const toolsList: number[] = [];
  for (let i = 0; i < spawns; i++) {
    const start = performance.now();
    const session = await open();
    initialize.push(performance.now() - start);
    try {
      await session.client.listTools();
      toolsList.push(performance.now() - start);
    } finally {
      await session.close();
    }
  }
  return {
    spawns,
    initializeMs: round(median(initialize), 1),
    toolsListMs: round(median(toolsList), 1),
    initializeSamplesMs: initialize.map((v) => round(v, 1)),
  };
}
