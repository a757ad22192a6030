/**
 * mcp-bridge benchmarks: `npx tsx scripts/bench/index.ts [--quick]`. Six paths from the same SDK client to the same
 * upstreams, measured in one run so the report can give ratios. Writes JSON results (--out) and, for a full run,
 * BENCHMARKS.md (report.ts). Progress goes to stderr.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFixtures } from './fixtures-client';
import { describeMachine } from './machine';
import { FULL, parseOptions, QUICK } from './options';
import { writeReport } from './report';
import { RESULTS_VERSION, type BenchResults } from './results';
import { runEras } from './eras';
import { runPath, runPerCall } from './run-path';

const REPO_ROOT = join(__dirname, '../..');
const BUNDLE = join(REPO_ROOT, 'dist/mcp-bridge.js');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv, { out: join(__dirname, 'last-run.json'), report: join(REPO_ROOT, 'BENCHMARKS.md') });
  if (!existsSync(BUNDLE)) throw new Error(`${relative(REPO_ROOT, BUNDLE)} is missing: run \`node scripts/build.mjs\` first.`);
  const counts = options.quick ? QUICK : FULL;
  const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  const started = performance.now();
  const results: BenchResults = {
    version: RESULTS_VERSION,
    mode: options.quick ? 'quick' : 'full',
    command: ['npx tsx scripts/bench/index.ts', ...argv].join(' '),
    startedAt: new Date().toISOString(),
    durationS: 0,
    machine: describeMachine(),
    paths: [],
  };
  progress('starting fixtures (server-everything, demo server, test cluster, tbot)');
  const fixtures = await startFixtures();
  try {
    for (const id of options.paths) results.paths.push(await runPath(id, fixtures, counts, progress));
    const perCall = await runPerCall(options.paths, fixtures, counts, progress);
    for (const path of results.paths) path.perCall = perCall.get(path.id);
    if (options.eras) {
      try {
        results.eras = await runEras(fixtures, counts, progress);
      } catch (err) {
        results.eras = { error: (err as Error).message };
      }
    }
  } finally {
    await fixtures.stop();
  }
  results.durationS = Math.round((performance.now() - started) / 100) / 10;
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  progress(`results: ${options.out} (${results.durationS} s)`);
  if (options.report) {
    await writeReport(results, options.report, relative(dirname(options.report), options.out));
    progress(`report: ${options.report}`);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`[bench] failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
