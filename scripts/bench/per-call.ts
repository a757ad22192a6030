import { performance } from 'node:perf_hooks';
import { echoCall } from './measure';
import type { PathSession } from './paths';
import type { PerCallResult } from './results';
import { median, percentile, round } from './stats';

/**
 * How MCP hosts really use a stdio server (LangGraph's MultiServerMCPClient opens a session, i.e. a process, per tool
 * call): `cycles` × spawn → initialize → tools/list → tools/call → exit (the SDK closes stdin and waits for the exit).
 *
 * SLOT (issue 12, SDK v2 `auto` connect): once MCP era handling lands, measure an `@modelcontextprotocol/client` 2.x
 * `auto` connect here (a probe sibling process, then the real one) against a legacy connect of the same path, with
 * the reissues it causes, and store it as PathResult.autoConnect; targets.ts already judges it (≤ 1.6×, no extra
 * reissue) and says "not measured" until then.
 *
 * For (1) and (2), which have no process, an in-process client session stands for it: the floor of each path.
 */
export async function perCallCycles(open: () => Promise<PathSession>, upstream: string, cycles: number): Promise<Omit<PerCallResult, 'reissues' | 'burst'>> {
  const samples: number[] = [];
  for (let i = 0; i < cycles; i++) {
    const start = performance.now();
    const session = await open();
    try {
      await session.client.listTools();
      await echoCall(session.client, upstream)();
    } finally {
      await session.close();
    }
    samples.push(performance.now() - start);
  }
  return {
    cycles,
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
