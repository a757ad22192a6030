import { CATALOGUE } from '../../src/errors/catalogue';
import { renderDoctorJson, renderDoctorText, type DoctorReport } from '../../src/doctor';

const report: DoctorReport = {
  ok: false,
  checks: [
    { id: 'identity', title: 'Identity readable', status: 'pass', detail: 'bot-agent of cluster "c"' },
    { id: 'renewal', title: 'Files being renewed', status: 'warn', detail: 'last written 40m ago.', tag: 'MCP_BRIDGE_IDENTITY_STALE', cause: CATALOGUE.IDENTITY_STALE.cause, fix: CATALOGUE.IDENTITY_STALE.fix },
    { id: 'reissue', title: 'Reissue allowed', status: 'fail', detail: 'disallow-reissue.', tag: 'MCP_BRIDGE_REISSUE_DENIED', cause: CATALOGUE.REISSUE_DENIED.cause, fix: CATALOGUE.REISSUE_DENIED.fix },
    { id: 'app-cert', title: 'App certificate', status: 'skip', detail: 'skipped: "Reissue allowed" did not pass' },
  ],
};

describe('doctor rendering', () => {
  it('marks each step ✓ ! ✗ or -, aligns the details, puts the fix under warnings and failures, and ends with a tally', () => {
    expect(renderDoctorText(report)).toBe(
      [
        '✓ Identity readable    bot-agent of cluster "c"',
        '! Files being renewed  last written 40m ago.',
        `                       fix (MCP_BRIDGE_IDENTITY_STALE): ${CATALOGUE.IDENTITY_STALE.fix}`,
        '✗ Reissue allowed      disallow-reissue.',
        `                       fix (MCP_BRIDGE_REISSUE_DENIED): ${CATALOGUE.REISSUE_DENIED.fix}`,
        '- App certificate      skipped: "Reissue allowed" did not pass',
        '',
        '1 passed, 1 warning, 1 failed, 1 skipped',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON that parses back to the report', () => {
    expect(JSON.parse(renderDoctorJson(report))).toEqual(report);
  });
});
