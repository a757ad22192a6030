/** The performance targets of issues 7, 12 and 14 (and the eras', era-report.ts), judged from one run's results (never from numbers of different runs). */
import { eraTargets } from './era-report';
import { isError, type BenchResults, type PathResult, type Section } from './results';

export type Verdict = 'met' | 'NOT met' | 'n/a';

export interface TargetCheck {
  /** The issue that set the target. */
  issue: number;
  target: string;
  measured: string;
  verdict: Verdict;
}

/** 80 MB, decimal, in KiB as /proc reports it (issue 7). */
const PEAK_RSS_LIMIT_KIB = 80e6 / 1024;
/** Issue 14: an idle bridge and one relaying an 8 MiB result, in MiB. */
const IDLE_RSS_LIMIT_MIB = 60;
const PAYLOAD_PEAK_LIMIT_MIB = 100;
/** Issue 14: what the bridge adds to a small call over the direct HTTP client, and its 8 MiB share of that client's rate. */
const ADDED_P50_LIMIT_MS = 0.25;
const BIG_RESULT_SHARE_OF_DIRECT = 0.5;
/**
 * "No growth": RSS after all calls at most 10 % above RSS half-way through the concurrent calls. The warm-up sample
 * is sequential load; 64 in flight legitimately needs a larger heap, so only growth under the same load is a leak.
 */
const RSS_GROWTH_LIMIT = 0.1;

const ok = <T>(section: Section<T> | undefined): T | undefined => (section === undefined || isError(section) ? undefined : section);

export function judge(issue: number, target: string, values: Array<number | undefined>, measure: (...v: number[]) => { measured: string; met: boolean }): TargetCheck {
  if (values.some((v) => v === undefined || Number.isNaN(v))) return { issue, target, measured: 'not measured', verdict: 'n/a' };
  const { measured, met } = measure(...(values as number[]));
  return { issue, target, measured, verdict: met ? 'met' : 'NOT met' };
}

const ms = (v: number) => `${v.toFixed(3)} ms`;
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

export function checkTargets(results: BenchResults): TargetCheck[] {
  const path = (id: number): PathResult | undefined => results.paths.find((p) => p.id === id);
  const latency = (id: number, upstream: string) => ok(path(id)?.latency[upstream]);
  const checks: TargetCheck[] = [];

  for (const upstream of ['demo', 'everything']) {
    checks.push(
      judge(7, `Added p50 of (3) over (2) ≤ 0.3 ms [${upstream}]`, [latency(3, upstream)?.p50Ms, latency(2, upstream)?.p50Ms], (p3, p2) => ({
        measured: `${ms(p3 - p2)} (${ms(p3)} vs ${ms(p2)})`,
        met: p3 - p2 <= 0.3,
      })),
    );
    for (const peer of [5, 6]) {
      const l4 = latency(4, upstream);
      const lp = latency(peer, upstream);
      checks.push(
        judge(7, `(4) faster than (${peer}) at p50 and p99 [${upstream}]`, [l4?.p50Ms, l4?.p99Ms, lp?.p50Ms, lp?.p99Ms], (a50, a99, b50, b99) => ({
          measured: `p50 ${ms(a50)} vs ${ms(b50)}, p99 ${ms(a99)} vs ${ms(b99)}`,
          met: a50 < b50 && a99 < b99,
        })),
      );
    }
  }

  const big = (id: number) => ok(path(id)?.payload)?.['8MiB']?.mibPerS;
  checks.push(
    judge(7, '8 MiB result through (3) ≥ 80 % of (2)', [big(3), big(2)], (t3, t2) => ({
      measured: `${((100 * t3) / t2).toFixed(0)} % (${t3} vs ${t2} MiB/s)`,
      met: t3 >= 0.8 * t2,
    })),
  );

  const cold = (id: number) => ok(path(id)?.coldStart)?.initializeMs;
  checks.push(
    judge(7, 'Cold start of (3) to initialize ≤ 250 ms and below (5)', [cold(3), cold(5)], (c3, c5) => ({
      measured: `${c3} ms vs ${c5} ms`,
      met: c3 <= 250 && c3 < c5,
    })),
  );

  for (const id of [3, 4]) {
    const memory = ok(path(id)?.memory);
    checks.push(
      judge(7, `Peak RSS of (${id}) ≤ 80 MB during the 8 MiB relay`, [memory?.peakDuringPayloadKiB['8MiB']], (peak) => ({
        measured: mib(peak),
        met: peak <= PEAK_RSS_LIMIT_KIB,
      })),
    );
    checks.push(
      judge(7, `No RSS growth in (${id}) up to ${memory?.callsAtLast ?? '?'} calls (≤ 10 % from mid-run)`, [memory?.rssAtFirstKiB, memory?.rssAtMidKiB, memory?.rssAtLastKiB], (first, midRss, last) => ({
        measured: `${mib(first)} after ${memory!.callsAtFirst}, ${mib(midRss)} after ${memory!.callsAtMid}, ${mib(last)} after ${memory!.callsAtLast}`,
        met: last <= midRss * (1 + RSS_GROWTH_LIMIT),
      })),
    );
  }

  const perCall = (id: number) => ok(path(id)?.perCall);
  const teleport = perCall(3);
  checks.push(
    judge(12, 'One reissue per identity generation, whatever the number of processes (3)', [teleport?.reissues, teleport?.burst?.reissues], (sequential, together) => ({
      measured: `${sequential} for ${teleport!.cycles} processes one after another; ${together} for ${teleport!.burst!.processes} at once after a renewal`,
      met: sequential === 1 && together === 1,
    })),
  );
  checks.push(
    judge(12, 'Per-call cycle of (3) ≤ 1.15× that of (4) (median)', [teleport?.medianMs, perCall(4)?.medianMs], (t, u) => ({
      measured: `${(t / u).toFixed(2)}× (${t} ms vs ${u} ms)`,
      met: t <= 1.15 * u,
    })),
  );
  for (const id of [3, 4]) {
    const orphan = ok(path(id)?.orphanExit);
    checks.push(
      judge(12, `Orphaned (${id}) gone within 5 s`, [orphan?.maxMs ?? (orphan?.stillRunning ? Infinity : undefined), orphan?.stillRunning], (max, still) => ({
        measured: still ? `still running after ${orphan!.stillRunningAfterMs} ms` : `max ${max} ms of ${orphan!.runs} runs (median ${orphan!.medianMs} ms)`,
        met: still === 0 && max <= 5000,
      })),
    );
  }
  checks.push(...issue14Targets(path));

  const renewal = ok(path(3)?.renewal);
  checks.push(
    judge(7, 'Zero failed calls under renewal every 2 s (3)', [renewal?.failed, renewal?.calls], (failed, calls) => ({
      measured: `${failed} failed of ${calls} (${renewal!.renewals} renewals)`,
      met: failed === 0 && calls > 0,
    })),
  );
  return [...checks, ...eraTargets(results)];
}

/** Issue 14: large messages without large memory. */
function issue14Targets(path: (id: number) => PathResult | undefined): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const id of [3, 4]) {
    const memory = ok(path(id)?.memory);
    checks.push(
      judge(14, `Idle RSS of (${id}) after warm-up ≤ ${IDLE_RSS_LIMIT_MIB} MiB`, [memory?.rssIdleKiB, memory?.rssAtFirstKiB], (idle, first) => ({
        measured: `${mib(idle)} after ${memory!.idleSeconds} s idle (${mib(first)} right after ${memory!.callsAtFirst} calls)`,
        met: idle <= IDLE_RSS_LIMIT_MIB * 1024,
      })),
    );
    checks.push(
      judge(14, `Peak RSS of (${id}) relaying an 8 MiB result ≤ ${PAYLOAD_PEAK_LIMIT_MIB} MiB`, [memory?.peakDuringPayloadKiB['8MiB']], (peak) => ({
        measured: mib(peak),
        met: peak <= PAYLOAD_PEAK_LIMIT_MIB * 1024,
      })),
    );
  }
  const big = (id: number) => ok(path(id)?.payload)?.['8MiB']?.mibPerS;
  checks.push(
    judge(14, `8 MiB result through (4) ≥ ${BIG_RESULT_SHARE_OF_DIRECT}× (1)`, [big(4), big(1)], (t4, t1) => ({
      measured: `${(t4 / t1).toFixed(2)}× (${t4} vs ${t1} MiB/s)`,
      met: t4 >= BIG_RESULT_SHARE_OF_DIRECT * t1,
    })),
  );
  for (const upstream of ['demo', 'everything']) {
    const p4 = ok(path(4)?.latency[upstream])?.p50Ms;
    const p1 = ok(path(1)?.latency[upstream])?.p50Ms;
    checks.push(
      judge(14, `Added p50 of (4) over (1) ≤ ${ADDED_P50_LIMIT_MS} ms [${upstream}]`, [p4, p1], (a, b) => ({
        measured: `${ms(a - b)} (${ms(a)} vs ${ms(b)})`,
        met: a - b <= ADDED_P50_LIMIT_MS,
      })),
    );
  }
  return checks;
}
