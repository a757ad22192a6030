import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Builds dist/ once before any test file runs: tests spawn bin/mcp-bridge (what users run), and rebuilding from
 * several test files at once would let one spawn read a half-written bundle.
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
