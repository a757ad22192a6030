import { describeResult, ensureRunnerInstalled, runConformanceScenario, SCENARIOS_2025, SCENARIOS_2026, type Suite } from '../../scripts/conformance/run-scenario';

/**
 * The official MCP conformance client scenarios, run by their own runner against `mcp-bridge connect --url` through
 * the thin driver (scripts/conformance/driver.ts): the 2025-11-25 ones with an SDK v1 client, the 2026-07-28 ones with
 * an SDK v2 client pinned to 2026-07-28. A scenario passes when the runner's OVERALL verdict is PASSED.
 */

jest.setTimeout(120_000);

beforeAll(async () => {
  // The runners and their Node 22 live in scripts/conformance/runner, installed from its lock file on first use.
  await ensureRunnerInstalled();
}, 600_000);

async function expectPasses(suite: Suite, scenario: string): Promise<void> {
  const result = await runConformanceScenario(suite, scenario);
  const verdict = { scenario: describeResult(result), passed: result.passed };
  // On failure the message carries the runner's whole output.
  expect({ ...verdict, output: result.passed ? '' : result.output }).toEqual({ ...verdict, passed: true, output: '' });
}

// Every 2025-11-25 scenario, sse-retry included: its server may answer the call on the standalone GET stream rather
// than on the resumption it asked for, and the bridge takes a response from whichever stream brings it.
test.each(SCENARIOS_2025)('2025-11-25 %s passes through the bridge', async (scenario) => {
  await expectPasses('2025', scenario);
});

// Every 2026-07-28 scenario: the bridge mirrors the standard and x-mcp-header headers and drops invalid tools itself
// (mcp-remote --protocol auto 0.15.1 fails the two x-mcp-header ones).
test.each(SCENARIOS_2026)('2026-07-28 %s passes through the bridge', async (scenario) => {
  await expectPasses('2026', scenario);
});
