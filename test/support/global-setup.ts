import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Builds dist/ once before any test file runs: tests spawn bin/mcp-bridge (what users run), and rebuilding from
 * several test files at once would let one spawn read a half-written bundle.
 *
 * Every bridge the run spawns shares one fresh cache directory (MCP_BRIDGE_CACHE_DIR, inherited by the workers and
 * their children) instead of the user's: era verdicts are keyed by URL, and a test server on a port an earlier run's
 * server of the other era used must not get that server's verdict.
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  process.env.MCP_BRIDGE_CACHE_DIR ??= join(mkdtempSync(join(tmpdir(), 'mcp-bridge-test-run-')), 'cache');
}
