import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * `npm run demo`'s script end to end, as CI runs it (stdout a pipe, not a TTY): the test cluster, tbot renewing
 * every 2 s, and mcp-bridge under the SDK's stdio client, for 8 s of calls.
 */
const REPO_ROOT = resolve(__dirname, '..', '..');
/** Start-up (cluster, server-everything, two bridges) plus 8 s of calls plus shutdown, with room for a slow CI box. */
const RUN_LIMIT_MS = 45_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(args: string[]): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/demo.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // A hung demo is stopped the way a user would (Ctrl-C), so it still cleans up; the assertions then fail.
    const guard = setTimeout(() => child.kill('SIGINT'), RUN_LIMIT_MS - 5_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(guard);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** The value of a `  label   value` line of the summary. */
function summaryValue(stdout: string, label: string): string {
  const summary = stdout.slice(stdout.indexOf('mcp-bridge demo summary'));
  const match = new RegExp(`^ {2}${label} +(.+)$`, 'm').exec(summary);
  if (!match) throw new Error(`no "${label}" line in the summary:\n${summary}`);
  return match[1];
}

describe('npm run demo', () => {
  let run: Run;

  beforeAll(async () => {
    run = await runDemo(['--duration', '8', '--renew-every', '2']);
  }, RUN_LIMIT_MS);
  afterAll(() => {
    // The demo keeps its tmp dir (the bridges' logs) for the user to read; the test removes it.
    const tmpDir = /bridge logs +(\S+)\/mcp-bridge-/.exec(run?.stdout ?? '')?.[1];
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  });

  test('exits 0 after calling tools across at least two renewals without a failure', () => {
    expect({ code: run.code, stderr: run.stderr.replace(/^npm warn.*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    expect(Number(summaryValue(run.stdout, 'calls').split(' ')[0])).toBeGreaterThan(0);
    expect(Number(summaryValue(run.stdout, 'renewals').split(' ')[0])).toBeGreaterThanOrEqual(2);
    expect(summaryValue(run.stdout, 'failures')).toBe('0');
  });

  test("shows that the upstream saw the bot's identity, from the JWT Teleport added", () => {
    expect(summaryValue(run.stdout, 'upstream saw')).toMatch(/^bot-\S+ \(roles .+\)$/);
  });

  test('appends plain lines when stdout is not a TTY: no ANSI escapes, renewals as they happen', () => {
    expect(run.stdout).not.toMatch(/\x1b\[/);
    expect(run.stdout).toMatch(/^\[\+[\d.]+s\] tbot renewed: generation 2,/m);
    expect(run.stdout).toMatch(/^\[\+[\d.]+s\] cluster issued app cert #\d+/m);
  });

  test("keeps mcp-bridge's log out of stdout and in the files the summary names, where it followed the renewals", () => {
    expect(run.stdout).not.toMatch(/ (INFO|WARN|ERROR) /);
    const logFiles = summaryValue(run.stdout, 'bridge logs').split(', ');
    expect(logFiles).toHaveLength(2);
    for (const file of logFiles) {
      const log = readFileSync(file, 'utf8');
      expect(log).toMatch(/INFO +new identity generation/);
      expect(log).toMatch(/INFO +app certificate issued/);
      expect(log).not.toMatch(/-----BEGIN|eyJ[A-Za-z0-9_-]{8,}\./);
    }
    // tbot's output (private keys) is removed; the logs stay for reading.
    expect(existsSync(join(dirname(logFiles[0]), 'tbot'))).toBe(false);
  });
});
