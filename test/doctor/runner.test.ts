import { BridgeError, CATALOGUE } from '../../src/errors/catalogue';
import { fail, pass, warn, type Check, type CheckId } from '../../src/doctor/check';
import { DoctorContext } from '../../src/doctor/context';
import { runChecks } from '../../src/doctor/runner';
import { silentLogger } from '../../src/log/logger';
import { parseProxyAddress } from '../../src/teleport';

const ctx = () =>
  new DoctorContext({ source: { kind: 'path', path: '/nonexistent' }, proxy: parseProxyAddress('127.0.0.1:1'), extraCAs: [], insecure: false, headers: {}, logger: silentLogger });

/** A check that records that it ran and returns a fixed outcome. */
function step(id: CheckId, needs: CheckId[], run: Check['run'], ran: CheckId[]): Check {
  return { id, title: `step ${id}`, needs, run: (c) => (ran.push(id), run(c)) };
}

describe('doctor runner', () => {
  it('skips, without running, every step whose prerequisite failed or was skipped, and runs independent ones', async () => {
    const ran: CheckId[] = [];
    const report = await runChecks(
      [
        step('identity', [], async () => fail(new BridgeError('IDENTITY_UNREADABLE', 'no such file /x.')), ran),
        step('validity', ['identity'], async () => pass('fine'), ran),
        step('auth', ['validity'], async () => pass('fine'), ran),
        step('proxy', [], async () => pass('pong'), ran),
      ],
      ctx(),
    );
    expect(ran).toEqual(['identity', 'proxy']);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['identity', 'fail'],
      ['validity', 'skip'],
      ['auth', 'skip'],
      ['proxy', 'pass'],
    ]);
    expect(report.checks[2]!.detail).toBe('skipped: "step validity" did not pass');
    expect(report.ok).toBe(false);
  });

  it('turns a thrown BridgeError into a failure carrying its tag, cause and fix; anything else becomes INTERNAL', async () => {
    const report = await runChecks(
      [
        step('proxy', [], async () => {
          throw new BridgeError('PROXY_UNREACHABLE', 'Could not connect to 127.0.0.1:1 (ECONNREFUSED).');
        }, []),
        step('auth', [], async () => {
          throw new TypeError('boom');
        }, []),
      ],
      ctx(),
    );
    expect(report.checks[0]).toEqual({
      id: 'proxy',
      title: 'step proxy',
      status: 'fail',
      detail: 'Could not connect to 127.0.0.1:1 (ECONNREFUSED).',
      tag: 'MCP_BRIDGE_PROXY_UNREACHABLE',
      cause: CATALOGUE.PROXY_UNREACHABLE.cause,
      fix: CATALOGUE.PROXY_UNREACHABLE.fix,
    });
    expect(report.checks[1]).toMatchObject({ status: 'fail', tag: 'MCP_BRIDGE_INTERNAL', detail: 'boom' });
  });

  it('lets steps after a warning run, and a report with only warnings is ok', async () => {
    const ran: CheckId[] = [];
    const report = await runChecks(
      [step('renewal', [], async () => warn(new BridgeError('IDENTITY_STALE', 'last written 40m ago.')), ran), step('auth', ['renewal'], async () => pass('ok'), ran)],
      ctx(),
    );
    expect(ran).toEqual(['renewal', 'auth']);
    expect(report.checks[0]).toMatchObject({ status: 'warn', tag: 'MCP_BRIDGE_IDENTITY_STALE', fix: CATALOGUE.IDENTITY_STALE.fix });
    expect(report.ok).toBe(true);
  });
});
