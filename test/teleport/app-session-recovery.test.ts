import { silentLogger } from '../../src/log/logger';
import { AppSessionRecovery, UNHEALTHY_REISSUE_INTERVAL_MS, type ProbeOutcome } from '../../src/teleport/app-session-recovery';
import type { UpstreamFailure } from '../../src/upstream/types';

/**
 * The recovery decisions in isolation, with a scripted proxy and a clock under the test's control (the same logic
 * runs against the test cluster in app-upstream.test.ts): how many reissues an outage costs, whatever the call rate.
 */

const refused: UpstreamFailure = { kind: 'status', status: 403, body: 'Forbidden\n', headers: {} };
const bare500: UpstreamFailure = { kind: 'status', status: 500, body: 'Internal Server Error\n', headers: {} };

/** A proxy whose App Service is down until `up` is set: every session is refused, old or new. */
function world() {
  const state = { now: 0, up: false, reissues: 0, lookups: 0, probes: 0, sessionFresh: false, moved: false };
  const recovery = new AppSessionRecovery({
    appName: 'grafana',
    logger: silentLogger,
    now: () => state.now,
    probe: async (): Promise<ProbeOutcome> => {
      state.probes++;
      return state.up ? 'accepted' : 'refused';
    },
    reissue: async () => {
      state.reissues++;
      return true;
    },
    relookup: async () => {
      state.lookups++;
      return false;
    },
  });
  return { state, recovery };
}

test('an unreachable App Service costs one reissue, then resends are advised with APP_SERVICE_UNREACHABLE', async () => {
  const { state, recovery } = world();
  const verdict = await recovery.recover(refused);
  expect(verdict).toMatchObject({ action: 'resend', error: { tag: 'APP_SERVICE_UNREACHABLE' } });
  expect(state.reissues).toBe(1);
  expect(state.lookups).toBe(1); // the app is looked up again once: it may have moved
});

test('a storm of refusals during a ten-minute outage makes at most one reissue per interval (≤ 3 a minute)', async () => {
  const { state, recovery } = world();
  for (state.now = 0; state.now < 10 * 60_000; state.now += 50) {
    // 20 calls a second, two failing together each time
    const verdicts = await Promise.all([recovery.recover(refused), recovery.recover(bare500)]);
    for (const v of verdicts) expect(v.action).toBe('resend');
  }
  expect(state.reissues).toBeLessThanOrEqual(Math.ceil((10 * 60_000) / UNHEALTHY_REISSUE_INTERVAL_MS) + 1);
  expect(state.reissues / 10).toBeLessThanOrEqual(3.1);
});

test('when the App Service is back, the next refusal gets a retry, and reissues are allowed at once again', async () => {
  const { state, recovery } = world();
  await recovery.recover(refused);
  state.up = true;
  state.now += 1_000; // inside the interval: the probe, not a reissue, tells it is back
  expect(await recovery.recover(refused)).toMatchObject({ action: 'retry' });
  expect(state.reissues).toBe(1);
});

test('a bare 500 while the App Service answers the probe is its own answer: not-mine (it may have run)', async () => {
  const { state, recovery } = world();
  state.up = true;
  expect(await recovery.recover(bare500)).toEqual({ action: 'not-mine' });
  expect(state.reissues).toBe(0);
});

test("an expired session is healed by one reissue every time, however often it happens (no rate limit when healthy)", async () => {
  let accepted = false;
  let reissues = 0;
  const recovery = new AppSessionRecovery({
    appName: 'grafana',
    logger: silentLogger,
    now: () => 0,
    probe: async () => (accepted ? 'accepted' : 'refused'),
    reissue: async () => {
      reissues++;
      accepted = true;
      return true;
    },
    relookup: async () => false,
  });
  for (let i = 0; i < 5; i++) {
    accepted = false; // the session expired again
    expect(await recovery.recover(refused)).toMatchObject({ action: 'retry' });
  }
  expect(reissues).toBe(5);
});

test('answers marked with an error origin (the MCP server, the App Service) are not the session: not-mine', async () => {
  const { state, recovery } = world();
  for (const origin of ['upstream', 'app-service']) {
    expect(await recovery.recover({ ...refused, headers: { 'x-teleport-mcp-error-origin': origin } })).toEqual({ action: 'not-mine' });
  }
  expect(await recovery.recover({ kind: 'status', status: 502, body: 'Bad Gateway\n', headers: {} })).toEqual({ action: 'not-mine' });
  expect(state.probes).toBe(0);
});
