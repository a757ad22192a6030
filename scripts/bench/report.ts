/**
 * Writes BENCHMARKS.md from one run's JSON results. Run alone to regenerate the report without re-measuring:
 * `npx tsx scripts/bench/report.ts [scripts/bench/last-run.json] [BENCHMARKS.md]`. The hand-written analysis
 * (profiles, proposals) lives in scripts/bench/analysis.md and is copied in verbatim.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { isError, RESULTS_VERSION, type BenchResults, type PathResult, type Section } from './results';
import { eraSections } from './era-report';
import { checkTargets } from './targets';

const ANALYSIS_FILE = join(__dirname, 'analysis.md');
const UPSTREAM_TITLES: Record<string, string> = { demo: 'demo server', everything: 'server-everything' };

type Cell = string | number | undefined;

function table(header: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map((c) => (c === undefined ? '—' : String(c))).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const ok = <T>(section: Section<T> | undefined): T | undefined => (section === undefined || isError(section) ? undefined : section);
const errorOf = (section: Section<unknown> | undefined): string | undefined => (isError(section) ? section.error : undefined);
const ratio = (value: number | undefined, base: number | undefined) =>
  value === undefined || base === undefined || base === 0 ? undefined : `${(value / base).toFixed(2)}×`;
const mib = (kib: number | undefined) => (kib === undefined ? undefined : (kib / 1024).toFixed(1));
const label = (p: PathResult) => `(${p.id}) ${p.name}`;

function latencySection(results: BenchResults, upstream: string): string {
  const base = results.paths.find((p) => p.id === 1);
  const baseLatency = ok(base?.latency[upstream]);
  const baseThroughput = ok(base?.throughput[upstream]);
  const rows = results.paths.map((p) => {
    const l = ok(p.latency[upstream]);
    const t = ok(p.throughput[upstream]);
    return [label(p), l?.p50Ms, l?.p99Ms, ratio(l?.p50Ms, baseLatency?.p50Ms), t?.callsPerS, ratio(t?.callsPerS, baseThroughput?.callsPerS), t?.failed, errorOf(p.latency[upstream])];
  });
  const calls = ok(results.paths.map((p) => p.latency[upstream]).find((l) => ok(l)))?.calls;
  return [
    `### Echo on ${UPSTREAM_TITLES[upstream]} (${calls ?? '?'} sequential calls; calls/s with ${ok(base?.throughput[upstream])?.inFlight ?? 64} in flight)`,
    '',
    table(['path', 'p50 ms', 'p99 ms', 'p50 ÷ (1)', 'calls/s', 'calls/s ÷ (1)', 'failed', 'error'], rows),
  ].join('\n');
}

function payloadSection(results: BenchResults): string {
  const direct = ok(results.paths.find((p) => p.id === 1)?.payload);
  const base = ok(results.paths.find((p) => p.id === 2)?.payload);
  const rows = results.paths.map((p) => {
    const payload = ok(p.payload);
    return [
      label(p),
      payload?.['1MiB']?.mibPerS,
      payload?.['8MiB']?.mibPerS,
      payload?.['8MiB']?.medianMs,
      ratio(payload?.['8MiB']?.mibPerS, direct?.['8MiB']?.mibPerS),
      ratio(payload?.['8MiB']?.mibPerS, base?.['8MiB']?.mibPerS),
      errorOf(p.payload),
    ];
  });
  return ['### Large results (demo server `payload`, median of the reps)', '', table(['path', '1 MiB MiB/s', '8 MiB MiB/s', '8 MiB ms', '8 MiB ÷ (1)', '8 MiB ÷ (2)', 'error'], rows)].join('\n');
}

function coldStartSection(results: BenchResults): string {
  const base = ok(results.paths.find((p) => p.id === 4)?.coldStart);
  const rows = results.paths.map((p) => {
    const c = ok(p.coldStart);
    return [label(p), c?.spawns, c?.initializeMs, c?.toolsListMs, ratio(c?.initializeMs, base?.initializeMs), errorOf(p.coldStart)];
  });
  return [
    '### Cold start (median; stdio paths: spawn → answer; (1), (2): new transport → answer)',
    '',
    table(['path', 'spawns', '→ initialize ms', '→ tools/list ms', 'initialize ÷ (4)', 'error'], rows),
  ].join('\n');
}

function processSection(results: BenchResults): string {
  const rows = results.paths
    .filter((p) => p.viaProcess)
    .map((p) => {
      const m = ok(p.memory);
      const peak = (size: string) => (m?.peakDuringPayloadKiB[size] === undefined ? undefined : `${mib(m.peakDuringPayloadKiB[size])}${m.payloadPeakIsolated ? '' : ' (lifetime)'}`);
      return [
        label(p),
        m ? `${mib(m.rssAtFirstKiB)} @ ${m.callsAtFirst}` : undefined,
        m ? `${mib(m.rssIdleKiB)} @ ${m.idleSeconds} s` : undefined,
        m ? `${mib(m.rssAtMidKiB)} @ ${m.callsAtMid}` : undefined,
        m ? `${mib(m.rssAtLastKiB)} @ ${m.callsAtLast}` : undefined,
        mib(m?.peakDuringCallsKiB),
        peak('1MiB'),
        peak('8MiB'),
        p.cpuMsPer1000Calls,
        errorOf(p.memory),
      ];
    });
  return [
    '### The bridge process (RSS from /proc VmRSS/VmHWM, MiB; CPU = utime + stime)',
    '',
    table(['path', 'RSS after warm-up', 'RSS idle after warm-up', 'RSS mid-run', 'RSS after all calls', 'peak during calls', 'peak relaying 1 MiB', 'peak relaying 8 MiB', 'CPU ms / 1000 calls', 'error'], rows),
  ].join('\n');
}

function renewalSection(results: BenchResults): string | undefined {
  const path3 = results.paths.find((p) => p.id === 3);
  if (!path3?.renewal) return undefined;
  const r = ok(path3.renewal);
  const baseline = ok(path3.throughput.demo)?.callsPerS;
  const rows = [[label(path3), r?.durationS, r?.renewals, r?.calls, r?.failed, r?.callsPerS, ratio(r?.callsPerS, baseline), errorOf(path3.renewal) ?? r?.failures.join('; ')]];
  return [
    `### Under credential renewal every ${r?.renewalEveryS ?? 2} s (demo server, ${r?.inFlight ?? 64} in flight)`,
    '',
    table(['path', 'seconds', 'renewals', 'calls', 'failed', 'calls/s', 'calls/s ÷ without renewal', 'failures'], rows),
  ].join('\n');
}

const APP_TYPE_TITLES: Record<string, string> = {
  'streamable-http': 'Streamable HTTP (`mcp+http`)',
  stdio: 'stdio (`mcp+stdio`, launched per connection)',
  sse: 'SSE (`mcp+sse+http`)',
};

function appTypeSection(results: BenchResults): string | undefined {
  const types = results.paths.find((p) => p.id === 3)?.appTypes;
  if (!types) return undefined;
  const rows = Object.entries(types).map(([type, section]) => {
    const r = ok(section);
    return [APP_TYPE_TITLES[type] ?? type, r?.coldStart.initializeMs, r?.coldStart.toolsListMs, r?.latency.p50Ms, r?.latency.p99Ms, errorOf(section)];
  });
  const first = Object.values(types).map(ok).find(Boolean);
  return [
    `### server-everything as each kind of Teleport app, through (3) (cold start median of ${first?.coldStart.spawns ?? '?'}; echo over ${first?.latency.calls ?? '?'} sequential calls)`,
    '',
    table(['app type', '→ initialize ms', '→ tools/list ms', 'echo p50 ms', 'echo p99 ms', 'error'], rows),
  ].join('\n');
}

function perCallSection(results: BenchResults): string | undefined {
  const measured = results.paths.filter((p) => p.perCall !== undefined);
  if (!measured.length) return undefined;
  const base = ok(results.paths.find((p) => p.id === 4)?.perCall);
  const rows = measured.map((p) => {
    const c = ok(p.perCall);
    return [label(p), c?.cycles, c?.medianMs, c?.p95Ms, ratio(c?.medianMs, base?.medianMs), c?.firstMs, c?.reissues, errorOf(p.perCall)];
  });
  const burst = ok(results.paths.find((p) => p.id === 3)?.perCall)?.burst;
  return [
    '### Per-call use (spawn → initialize → tools/list → tools/call → exit; rounds that visit every path in turn, demo server)',
    '',
    "LangGraph's `MultiServerMCPClient` starts a process per tool call by default. (1) and (2) have no process: a new in-process client session per cycle, the floor of each path (what the test cluster's proxy and App Service cost per session). Reissues: app certificates the cluster issued during the cycles (one identity generation; (3) starts with an empty cache).",
    '',
    table(['path', 'cycles', 'median ms', 'p95 ms', 'median ÷ (4)', 'first cycle ms', 'reissues', 'error'], rows),
    ...(burst
      ? ['', `After a tbot renewal (a new identity generation), ${burst.processes} processes of (3) started at once: ${burst.reissues} reissue(s), median spawn → initialize ${burst.initializeMedianMs} ms.`]
      : []),
  ].join('\n');
}

function orphanSection(results: BenchResults): string | undefined {
  const stdio = results.paths.filter((p) => p.orphanExit !== undefined);
  if (!stdio.length) return undefined;
  const rows = stdio.map((p) => {
    const o = ok(p.orphanExit);
    const still = o?.stillRunning ? `${o.stillRunning} of ${o.runs} still running after ${o.stillRunningAfterMs} ms` : o ? '0' : undefined;
    return [label(p), o?.runs, o?.medianMs, o?.maxMs, still, errorOf(p.orphanExit)];
  });
  return [
    '### Orphaned process (host killed with SIGKILL while the process’s stdin stays open; time until it exits)',
    '',
    table(['path', 'runs', 'median ms', 'max ms', 'did not exit', 'error'], rows),
  ].join('\n');
}

export function renderReport(results: BenchResults, resultsFile: string): string {
  if (results.version !== RESULTS_VERSION) throw new Error(`results version ${results.version}, this report reads ${RESULTS_VERSION}`);
  const m = results.machine;
  const targets = checkTargets(results);
  const analysis = existsSync(ANALYSIS_FILE) ? readFileSync(ANALYSIS_FILE, 'utf8').trim() : undefined;
  return [
    '# mcp-bridge benchmarks',
    '',
    `<!-- Generated by scripts/bench/report.ts from ${resultsFile}; edit scripts/bench/analysis.md for the analysis. -->`,
    '',
    'Every number below comes from **one run**: compare paths by the ratios, not with numbers from another machine.',
    `Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpuModel}, Node ${m.node}, ${m.platform}, Linux ${m.kernel}; 1-min load ${m.loadAvg1} at start.`,
    `Run: ${results.mode} mode, ${results.startedAt}, ${results.durationS} s. Command (after \`node scripts/build.mjs\`):`,
    '',
    '```sh',
    results.command,
    '```',
    '',
    'The same SDK `Client` drives every path against the same upstreams (server-everything and the demo server):',
    '',
    ...results.paths.map((p) => `${p.id}. **${p.name}**: ${p.description}`),
    '',
    '## Targets',
    '',
    table(['issue', 'target', 'measured', 'verdict'], targets.map((t) => [t.issue, t.target, t.measured, t.verdict])),
    '',
    '## Results',
    '',
    latencySection(results, 'demo'),
    '',
    latencySection(results, 'everything'),
    '',
    payloadSection(results),
    '',
    coldStartSection(results),
    '',
    processSection(results),
    '',
    ...(renewalSection(results) ? [renewalSection(results)!, ''] : []),
    ...(appTypeSection(results) ? [appTypeSection(results)!, ''] : []),
    ...(perCallSection(results) ? [perCallSection(results)!, ''] : []),
    ...(orphanSection(results) ? [orphanSection(results)!, ''] : []),
    ...(eraSections(results) ? [eraSections(results)!, ''] : []),
    ...(analysis ? ['## Analysis', '', analysis, ''] : []),
  ].join('\n');
}

export async function writeReport(results: BenchResults, file: string, resultsFile: string): Promise<void> {
  await writeFile(file, renderReport(results, resultsFile));
}

if (require.main === module) {
  const repoRoot = join(__dirname, '../..');
  const [input = join(__dirname, 'last-run.json'), output = join(repoRoot, 'BENCHMARKS.md')] = process.argv.slice(2);
  const results = JSON.parse(readFileSync(input, 'utf8')) as BenchResults;
  writeReport(results, output, relative(dirname(output), input)).catch((err: Error) => {
    process.stderr.write(`report failed: ${err.message}\n`);
    process.exitCode = 1;
  });
}
