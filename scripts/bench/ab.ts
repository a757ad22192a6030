/**
 * Two builds of the bridge side by side, in rounds that visit every variant in turn (a change of load on the shared
 * machine hits all alike): `npx tsx scripts/bench/ab.ts --a DIR --b DIR [--rounds N] [--only percall|eras]`, where
 * each DIR holds a built checkout (bin/mcp-bridge + dist/). Measures the per-call cycle (spawn → initialize →
 * tools/list → tools/call → exit) of `connect APP` through the test cluster and of `connect --url`, with the
 * in-process floors (1) and (2); and the connect of an SDK v1 (2025) and an SDK v2 `auto` client through the cluster,
 * with the app certificates each issued. Prints medians, quartiles and ratios as JSON.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { openSession as openScenario, type ClientKind } from '../../test/support/scenario/clients';
import { startFixtures, type Fixtures } from './fixtures-client';
import { openSession, openStdioSession } from './paths';
import { cycle } from './per-call';
import { percentile, round } from './stats';

interface Args {
  builds: Record<string, string>;
  rounds: number;
  only?: string;
  /** Node/V8 flags for every bridge process (e.g. --liftoff-only, which a build may set itself). */
  nodeFlags: string[];
}

function parse(argv: string[]): Args {
  const builds: Record<string, string> = {};
  let rounds = 15;
  let only: string | undefined;
  const nodeFlags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--a' || a === '--b') builds[a.slice(2)] = argv[++i]!;
    else if (a === '--rounds') rounds = Number(argv[++i]);
    else if (a === '--only') only = argv[++i];
    else if (a === '--node-flag') nodeFlags.push(argv[++i]!);
    else throw new Error(`unknown argument ${a}`);
  }
  return { builds, rounds, only, nodeFlags };
}

type Sample = { ms: number; reissues?: number };
type Variant = { name: string; run: () => Promise<Sample> };

async function counted(fixtures: Fixtures, work: () => Promise<number>): Promise<Sample> {
  const before = await fixtures.countReissues();
  const ms = await work();
  return { ms, reissues: (await fixtures.countReissues()) - before };
}

function variants(args: Args, fixtures: Fixtures): Variant[] {
  const info = fixtures.info;
  const { demo } = info.upstreams;
  const out: Variant[] = [];
  const bin = (dir: string) => [...args.nodeFlags, join(dir, 'bin/mcp-bridge')];
  const teleportArgs = (dir: string, app: string, cache: string) => [...bin(dir), 'connect', app, '-i', info.identityDir, '--proxy', info.proxyAddr, '--ca', info.publicCaFile, '--cache-dir', cache];
  const caches = Object.fromEntries(Object.keys(args.builds).map((k) => [k, mkdtempSync(join(tmpdir(), `ab-cache-${k}-`))]));
  if (args.only !== 'eras') {
    out.push({ name: 'percall (1) direct', run: async () => ({ ms: await cycle(() => openSession(1, info, demo), 'demo') }) });
    out.push({ name: 'percall (2) direct-mtls-proxy', run: async () => ({ ms: await cycle(() => openSession(2, info, demo), 'demo') }) });
    for (const [k, dir] of Object.entries(args.builds)) {
      out.push({ name: `percall (3) teleport ${k}`, run: () => counted(fixtures, () => cycle(() => openStdioSession(teleportArgs(dir, demo.app, caches[k]!), info, `teleport ${k}`), 'demo')) });
      out.push({ name: `percall (4) url ${k}`, run: async () => ({ ms: await cycle(() => openStdioSession([...bin(dir), 'connect', '--url', demo.url, '--cache-dir', caches[k]!], info, `url ${k}`), 'demo') }) });
    }
  }
  if (args.only !== 'percall') {
    for (const upstream of ['everything', 'dual']) {
      for (const client of ['sdk-v1', 'sdk-v2-auto'] as ClientKind[]) {
        for (const [k, dir] of Object.entries(args.builds)) {
          out.push({
            name: `eras ${upstream} ${client} teleport ${k}`,
            run: () =>
              counted(fixtures, async () => {
                const start = performance.now();
                const session = await openScenario(client, { kind: 'stdio', command: process.execPath, args: teleportArgs(dir, upstream, caches[k]!), env: getDefaultEnvironment() }, {});
                const ms = performance.now() - start;
                await session.close();
                return ms;
              }),
          });
        }
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const fixtures = await startFixtures();
  try {
    const all = variants(args, fixtures);
    const samples = new Map<string, Sample[]>(all.map((v) => [v.name, []]));
    // One warm-up visit each (fills each build's cache, JITs the driver), not counted.
    for (const v of all) await v.run().catch((err: Error) => process.stderr.write(`warm-up ${v.name}: ${err.message}\n`));
    for (let r = 0; r < args.rounds; r++) {
      for (const v of all) {
        try {
          samples.get(v.name)!.push(await v.run());
        } catch (err) {
          process.stderr.write(`${v.name}: ${(err as Error).message}\n`);
        }
      }
      process.stderr.write(`[ab] round ${r + 1}/${args.rounds} done\n`);
      await fixtures.clearRecorder();
    }
    const summary: Record<string, unknown> = {};
    for (const [name, s] of samples) {
      const ms = s.map((x) => x.ms);
      summary[name] = {
        n: ms.length,
        p25: round(percentile(ms, 25), 1),
        median: round(percentile(ms, 50), 1),
        p75: round(percentile(ms, 75), 1),
        p95: round(percentile(ms, 95), 1),
        reissues: s.some((x) => x.reissues !== undefined) ? s.reduce((a, x) => a + (x.reissues ?? 0), 0) : undefined,
        samples: ms.map((v) => round(v, 1)),
      };
    }
    process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
  } finally {
    await fixtures.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
});
