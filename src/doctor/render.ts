import type { CheckStatus } from './check';
import type { DoctorReport } from './runner';

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

/** The checklist for people: one line per step, the fix under each warning and failure, then a tally. */
export function renderDoctorText(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length)) + 2;
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${MARK[check.status]} ${check.title.padEnd(width)}${check.detail}`);
    if (check.fix) lines.push(`  ${' '.repeat(width)}fix (${check.tag}): ${check.fix}`);
  }
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  const warnings = count('warn');
  lines.push('', `${count('pass')} passed, ${warnings} warning${warnings === 1 ? '' : 's'}, ${count('fail')} failed, ${count('skip')} skipped`);
  return lines.join('\n') + '\n';
}

export function renderDoctorJson(report: DoctorReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
