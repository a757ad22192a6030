import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../scripts/bench/report';
import { isError, type BenchResults, type EraRow, type PathResult, type Section } from '../../scripts/bench/results';

const REPO_ROOT = join(__dirname, '../..');

/** Runs the benchmark CLI as a real child process (under tsx, as documented) and resolves with its exit code. */
function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/index.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

function measured<T>(section: Section<T> | undefined, what: string): T {
  if (section === undefined) throw new Error(`${what}: not measured`);
  if (isError(section)) throw new Error(`${what}: ${section.error}`);
  return section;
}

describe('benchmark quick mode', () => {
  let dir: string;
  let results: BenchResults;
  const path = (id: number): PathResult => results.paths.find((p) => p.id === id)!;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/mcp-bridge.js'))) throw new Error('dist/mcp-bridge.js is missing: run `node scripts/build.mjs` first');
    dir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    const out = join(dir, 'results.json');
    // The era combinations spawn ~80 clients even in quick mode: they are covered by the era matrix tests instead.
    const run = await runBench(['--quick', '--paths', '1,3,4', '--no-eras', '--out', out]);
    if (run.code !== 0) throw new Error(`bench exited ${run.code}:\n${run.stderr}`);
    results = JSON.parse(await readFile(out, 'utf8')) as BenchResults;
  }, 180_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('records the machine, the mode and the command it ran', () => {
    expect(results.mode).toBe('quick');
    expect(results.machine.nproc).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.command).toBe('npx tsx scripts/bench/index.ts --quick --paths 1,3,4 --no-eras --out ' + join(dir, 'results.json'));
    expect(results.eras).toBeUndefined();
    expect(results.paths.map((p) => p.id)).toEqual([1, 3, 4]);
  });

  it.each([1, 3, 4])('measures echo latency, throughput, payloads and cold start on path %i', (id) => {
    const p = path(id);
    for (const upstream of ['demo', 'everything']) {
      const latency = measured(p.latency[upstream], `path ${id} latency ${upstream}`);
      expect(latency.calls).toBe(20);
      expect(latency.p50Ms).toBeGreaterThan(0);
      expect(latency.p99Ms).toBeGreaterThanOrEqual(latency.p50Ms);
      const throughput = measured(p.throughput[upstream], `path ${id} throughput ${upstream}`);
      expect(throughput).toMatchObject({ inFlight: 64, failed: 0 });
      expect(throughput.callsPerS).toBeGreaterThan(0);
    }
    const payload = measured(p.payload, `path ${id} payload`);
    expect(payload['8MiB']).toMatchObject({ bytes: 8 * 1024 * 1024, reps: 1 });
    expect(payload['1MiB'].mibPerS).toBeGreaterThan(0);
    const cold = measured(p.coldStart, `path ${id} cold start`);
    expect(cold.initializeSamplesMs).toHaveLength(2);
    expect(cold.toolsListMs).toBeGreaterThanOrEqual(cold.initializeMs);
  });

  it('samples memory and CPU of the bridge process, and only where there is one', () => {
    expect(path(1).memory).toBeUndefined();
    for (const id of [3, 4]) {
      const memory = measured(path(id).memory, `path ${id} memory`);
      expect(memory.callsAtLast).toBeGreaterThan(memory.callsAtFirst);
      expect(memory.rssAtFirstKiB).toBeGreaterThan(0);
      expect(memory.rssIdleKiB).toBeGreaterThan(0);
      expect(memory.idleSeconds).toBe(2);
      expect(memory.peakDuringPayloadKiB['1MiB']).toBeGreaterThan(0);
      expect(memory.peakDuringPayloadKiB['8MiB']).toBeGreaterThan(0);
      expect(path(id).cpuMsPer1000Calls).toBeGreaterThanOrEqual(0);
    }
  });

  it('runs the Teleport path under tbot renewals and counts its calls and failures', () => {
    const renewal = measured(path(3).renewal, 'path 3 renewal');
    expect(renewal.renewals).toBeGreaterThanOrEqual(1);
    expect(renewal.calls).toBeGreaterThan(0);
    expect(typeof renewal.failed).toBe('number');
    expect(path(4).renewal).toBeUndefined();
  });

  it('runs per-call cycles on every path; the Teleport path issues once per identity generation, for sequential and simultaneous processes', () => {
    for (const id of [1, 3, 4]) {
      const perCall = measured(path(id).perCall, `path ${id} per-call`);
      expect(perCall.samplesMs).toHaveLength(3);
      expect(perCall.p95Ms).toBeGreaterThanOrEqual(perCall.medianMs);
    }
    const teleport = measured(path(3).perCall, 'path 3 per-call');
    expect(teleport.reissues).toBe(1);
    expect(teleport.burst).toMatchObject({ processes: 3, reissues: 1 });
    expect(path(4).perCall).not.toHaveProperty('reissues');
  });

  it('times orphaned bridges (host killed, stdin open) and only where there is a process', () => {
    expect(path(1).orphanExit).toBeUndefined();
    for (const id of [3, 4]) {
      const orphan = measured(path(id).orphanExit, `path ${id} orphan`);
      expect(orphan).toMatchObject({ runs: 1, stillRunning: 0 });
      expect(orphan.maxMs).toBeGreaterThan(0);
    }
  });

  it('measures server-everything as each kind of Teleport app through path 3 only', () => {
    const types = path(3).appTypes!;
    expect(Object.keys(types)).toEqual(['streamable-http', 'stdio', 'sse']);
    for (const [type, section] of Object.entries(types)) {
      const r = measured(section, `path 3 as a ${type} app`);
      expect(r.coldStart.initializeSamplesMs).toHaveLength(2);
      expect(r.latency.calls).toBe(20);
      expect(r.latency.p50Ms).toBeGreaterThan(0);
    }
    expect(path(4).appTypes).toBeUndefined();
    expect(renderReport(results, 'results.json')).toMatch(/\| stdio \(`mcp\+stdio`, launched per connection\) \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| — \|/);
  });

  it('renders BENCHMARKS.md from the results, with targets judged and missing paths marked n/a', () => {
    const report = renderReport(results, 'results.json');
    expect(report).toContain('```sh\n' + results.command + '\n```');
    expect(report).toContain(`${results.machine.nproc} CPUs`);
    expect(report).toMatch(/\| \(3\) mcp-bridge-teleport \| [\d.]+ \| [\d.]+ \|/);
    // path 2 was not run, so the (3)-over-(2) target cannot be judged
    expect(report).toMatch(/Added p50 of \(3\) over \(2\) ≤ 0\.3 ms \[demo\] \| not measured \| n\/a \|/);
    expect(report).toMatch(/Zero failed calls under renewal every 2 s \(3\) \| \d+ failed of \d+/);
    expect(report).toMatch(/One reissue per identity generation, whatever the number of processes \(3\) \| 1 for 3 processes one after another; 1 for 3 at once after a renewal \| met \|/);
    expect(report).toMatch(/### Per-call use/);
    expect(report).toMatch(/### Orphaned process/);
    expect(report).toMatch(/\| 14 \| Idle RSS of \(4\) after warm-up ≤ 60 MiB \| [\d.]+ MiB after 2 s idle/);
    expect(report).toMatch(/\| 14 \| 8 MiB result through \(4\) ≥ 0\.5× \(1\) \| [\d.]+× /);
  });

  it('renders the era tables and judges the auto-connect target from era results', () => {
    const row = (hop: string, client: string, upstream: string, connectMs: number, extra: Partial<EraRow> = {}): EraRow => ({
      hop, client, upstream, connectMs, connects: 3, era: 'legacy', latency: { calls: 10, p50Ms: 2, p99Ms: 3, meanMs: 2 }, ...extra,
    });
    const withEras: BenchResults = {
      ...results,
      eras: {
        rows: [
          row('bridge', 'sdk-v1', 'everything', 100),
          row('mcp-remote-auto', 'sdk-v1', 'everything', 300, { latency: { calls: 10, p50Ms: 4, p99Ms: 6, meanMs: 4 } }),
          row('bridge-teleport', 'sdk-v1', 'everything', 200, { reissuesPerConnect: 1 }),
          row('bridge-teleport', 'sdk-v2-auto', 'everything', 400, { reissuesPerConnect: 2 }),
        ],
      },
    };
    const report = renderReport(withEras, 'results.json');
    expect(report).toMatch(/\| SDK v1 \(2025\) \| server-everything \(2025\) \| legacy \| 100 \| 300 \| 0\.33× \|/);
    expect(report).toContain('SDK v2 auto connect ≤ 1.6× a 2025 connect, no extra reissue (Teleport) [everything] | 2.00× (400 vs 200 ms); 2 vs 1 certificates per connect | NOT met');
    expect(report).toContain('Bridge faster than mcp-remote --protocol auto to connect and at p50, every era combination | 1 of 1 combinations | met');
  });
});
