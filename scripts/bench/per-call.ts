import { performance } from 'node:perf_hooks';
import { echoCall } from './measure';
import type { PathSession } from './paths';
import type { PerCallResult } from './results';
import { median, percentile, round } from './stats';

/**
 * How MCP hosts really use a stdio server (LangGraph's MultiServerMCPClient opens a session, i.e. a process, per tool
 * call): `cycles` rounds of spawn → initialize → tools/list → tools/call → exit (the SDK closes stdin and waits for
 * the exit), each round visiting every path once, so a change of load on the shared machine hits all paths alike and
 * their ratios hold. For (1) and (2), which have no process, an in-process client session stands for it: the floor of
 * each path. A path whose cycle fails is reported with its error and left out of later rounds. (The SDK v2 `auto`
 * connect, a probe sibling and then the real process, is measured by the era runs: eras.ts.)
 */
export async function interleavedCycles<K>(opens: Map<K, () => Promise<PathSession>>, upstream: string, cycles: number): Promise<Map<K, number[] | Error>> {
  const results = new Map<K, number[] | Error>([...opens.keys()].map((k) => [k, []]));
  for (let i = 0; i < cycles; i++) {
    for (const [key, open] of opens) {
      const samples = results.get(key);
      if (!Array.isArray(samples)) continue;
      try {
        samples.push(await cycle(open, upstream));
      } catch (err) {
        results.set(key, err as Error);
      }
    }
  }
  return results;
}

/** One spawn → initialize → tools/list → tools/call → exit, timed. */
export async function cycle(open: () => Promise<PathSession>, upstream: string): Promise<number> {
  const start = performance.now();
  const session = await open();
  try {
    await session.client.listTools();
    await echoCall(session.client, upstream)();
  } finally {
    await session.close();
  }
  return performance.now() - start;
}

export function cycleSummary(samples: number[], upstream: string): Omit<PerCallResult, 'reissues' | 'burst'> {
  return {
    cycles: samples.length,
    upstream,
    medianMs: round(median(samples), 1),
    p95Ms: round(percentile(samples, 95), 1),
    firstMs: round(samples[0]!, 1),
    samplesMs: samples.map((v) => round(v, 1)),
  };
}

/** `processes` sessions opened at once (Claude Desktop's several instances per entry); median spawn → initialize. */
export async function burst(open: () => Promise<PathSession>, upstream: string, processes: number): Promise<number> {
  const times: number[] = [];
  const sessions = await Promise.all(
    Array.from({ length: processes }, async () => {
      const start = performance.now();
      const session = await open();
      times.push(performance.now() - start);
      return session;
    }),
  );
  try {
    await Promise.all(sessions.map((s) => echoCall(s.client, upstream)()));
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
  return round(median(times), 1);
}
