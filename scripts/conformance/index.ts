import { describeResult, runConformanceScenario, SCENARIOS_2025, SCENARIOS_2026, type Hop, type Suite } from './run-scenario';

/**
 * Runs the official conformance client scenarios through the bridge and prints each verdict:
 * `npx tsx scripts/conformance/index.ts [2025|2026|all] [scenario…]` (default: 2026, the era issue 11 adds);
 * CONFORMANCE_HOP=mcp-remote-auto runs the same through mcp-remote --protocol auto, for comparison.
 * Needs dist/ (`npm run build`). Exits 0 whatever the verdicts: it reports, the jest tests assert.
 */

async function main(): Promise<void> {
  const [which = '2026', ...only] = process.argv.slice(2);
  const hop = (process.env.CONFORMANCE_HOP ?? 'bridge') as Hop;
  const suites: Suite[] = which === 'all' ? ['2025', '2026'] : [which as Suite];
  let passed = 0;
  let failed = 0;
  for (const suite of suites) {
    const scenarios: readonly string[] = suite === '2025' ? SCENARIOS_2025 : SCENARIOS_2026;
    for (const scenario of only.length ? scenarios.filter((s) => only.includes(s)) : scenarios) {
      const result = await runConformanceScenario(suite, scenario, { hop });
      if (result.passed) passed++;
      else failed++;
      process.stdout.write(`${describeResult(result)}\n`);
    }
  }
  process.stdout.write(`conformance scenarios through ${hop}: ${passed} passing, ${failed} failing\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
