import type { LatencyStats } from './latency';
import { shortId, type DemoState } from './state';

/**
 * The demo's text, as pure functions of its state: the live status block, one-line status for plain output, and
 * the final summary. The summary's `label  value` lines are stable: test/demo parses them.
 */

export interface DemoInfo {
  /** The bridges' stderr logs, one per app. */
  logFiles: string[];
  /** When set, the demo stops by itself after this many seconds. */
  durationSeconds?: number;
}

const ms = (value: number | undefined) => (value === undefined ? '–' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`);
const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`;

export function latencyText(latency: LatencyStats): string {
  return `last ${ms(latency.last)}  p50 ${ms(latency.percentile(50))}  p99 ${ms(latency.percentile(99))}`;
}

function whoamiText(state: DemoState): string {
  return state.whoami ? `${state.whoami.user} (roles ${state.whoami.roles.join(', ') || 'none'})` : '–';
}

function identityText(state: DemoState, now: Date): string {
  const id = state.identity;
  if (!id) return '–';
  return `generation ${id.generation}, serial ${shortId(id.serial)}, ${seconds(Math.max(0, id.notAfter.getTime() - now.getTime()))} left`;
}

function appCertText(state: DemoState, now: Date): string {
  if (!state.lastAppCertAt) return '–';
  return `${state.appCertsIssued} issued, latest ${seconds(now.getTime() - state.lastAppCertAt.getTime())} ago`;
}

/** Which app certificate (by serial) each app's traffic came with last. */
function appCertSerialsText(state: DemoState): string {
  return [...state.appCertSerials].map(([app, serial]) => `${app} ${shortId(serial)}`).join(', ') || '–';
}

const row = (label: string, value: string) => `  ${label.padEnd(16)}${value}`;

/** The block the TTY view redraws in place. */
export function liveLines(state: DemoState, info: DemoInfo, now: Date): string[] {
  const elapsed = now.getTime() - state.startedAt.getTime();
  const ends = info.durationSeconds === undefined ? 'Ctrl-C to stop' : `stops after ${info.durationSeconds} s, Ctrl-C to stop now`;
  return [
    `mcp-bridge demo — ${seconds(elapsed)} (${ends})`,
    row('upstream sees', whoamiText(state)),
    row('tbot identity', identityText(state, now)),
    row('app certs', appCertText(state, now)),
    row('app cert serial', appCertSerialsText(state)),
    row('renewals', String(state.renewals)),
    row('calls', `${state.calls}  failures ${state.failures}`),
    row('latency', latencyText(state.latency)),
    '  recent:',
    ...state.recentEvents.map((e) => `    ${e.at.toISOString().slice(11, 23)}  ${e.text}`),
  ];
}

/** One line for plain output (CI, pipes), printed every few seconds between event lines. */
export function statusLine(state: DemoState, now: Date): string {
  return `calls ${state.calls}, failures ${state.failures}, renewals ${state.renewals}, ${latencyText(state.latency)}; upstream sees ${whoamiText(state)}; identity ${identityText(state, now)}`;
}

export function summaryLines(state: DemoState, info: DemoInfo, now: Date): string[] {
  const byTool = [...state.callsByTool].map(([tool, n]) => `${tool} ${n}`).join(', ');
  return [
    'mcp-bridge demo summary',
    row('duration', seconds(now.getTime() - state.startedAt.getTime())),
    row('calls', `${state.calls}${byTool ? ` (${byTool})` : ''}`),
    row('failures', String(state.failures)),
    ...(state.interrupted ? [row('interrupted', `${state.interrupted} (in flight at Ctrl-C)`)] : []),
    row('renewals', `${state.renewals} (tbot identity generation ${state.identity?.generation ?? '–'})`),
    row('app certs', `${state.appCertsIssued} issued by the cluster`),
    row('latency', `p50 ${ms(state.latency.percentile(50))}  p99 ${ms(state.latency.percentile(99))}  max ${ms(state.latency.percentile(100))}`),
    row('upstream saw', whoamiText(state)),
    row('bridge logs', info.logFiles.join(', ')),
  ];
}
