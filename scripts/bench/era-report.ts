/** The era sections of BENCHMARKS.md and their targets (issues 11 and 12), from a run's `eras` results. */
import { isError, type BenchResults, type EraRow } from './results';
import { judge, type TargetCheck } from './targets';

type Cell = string | number | undefined;

function table(header: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map((c) => (c === undefined ? '—' : String(c))).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : `${(a / b).toFixed(2)}×`);
const CLIENT_TITLES: Record<string, string> = { 'sdk-v1': 'SDK v1 (2025)', 'sdk-v2-auto': 'SDK v2 auto', 'sdk-v2-2026': 'SDK v2 pinned 2026-07-28' };
const UPSTREAM_TITLES: Record<string, string> = { everything: 'server-everything (2025)', dual: 'SDK v2 dual-era', 'modern-only': 'SDK v2 2026-only' };

function rowsOf(results: BenchResults): EraRow[] | undefined {
  return results.eras && !isError(results.eras) ? results.eras.rows : undefined;
}

const find = (rows: EraRow[], hop: string, client: string, upstream: string) => rows.find((r) => r.hop === hop && r.client === client && r.upstream === upstream);

export function eraSections(results: BenchResults): string | undefined {
  if (!results.eras) return undefined;
  if (isError(results.eras)) return `### MCP eras\n\nNot measured: ${results.eras.error}`;
  const rows = results.eras.rows;
  const pairs = rows.filter((r) => r.hop === 'bridge');
  const matrix = pairs.map((b) => {
    const m = find(rows, 'mcp-remote-auto', b.client, b.upstream);
    return [
      CLIENT_TITLES[b.client] ?? b.client,
      UPSTREAM_TITLES[b.upstream] ?? b.upstream,
      b.era,
      b.connectMs,
      m?.connectMs,
      ratio(b.connectMs, m?.connectMs),
      b.latency?.p50Ms,
      b.latency?.p99Ms,
      m?.latency?.p50Ms,
      m?.latency?.p99Ms,
      [b.error, m?.error && `mcp-remote: ${m.error}`].filter(Boolean).join('; ') || undefined,
    ];
  });
  const teleport = rows.filter((r) => r.hop === 'bridge-teleport').map((r) => [CLIENT_TITLES[r.client] ?? r.client, UPSTREAM_TITLES[r.upstream] ?? r.upstream, r.era, r.connectMs, r.reissuesPerConnect, r.latency?.p50Ms, r.error]);
  const connects = rows[0]?.connects ?? '?';
  const calls = rows.find((r) => r.latency)?.latency?.calls ?? '?';
  return [
    `### MCP eras: each client era to each server era, bridge (\`connect --url\`) beside \`mcp-remote --protocol auto\``,
    '',
    `Connect = spawn → the client's connect() resolved (era negotiation included: an SDK v2 \`auto\` client on stdio runs its`,
    `\`server/discover\` probe on a sibling process first), median of ${connects}; latency = ${calls} sequential echo calls.`,
    '',
    table(['client', 'server', 'era', 'connect ms', 'mcp-remote connect ms', 'connect ÷ mcp-remote', 'p50 ms', 'p99 ms', 'mcp-remote p50', 'mcp-remote p99', 'error'], matrix),
    '',
    '### MCP eras through the test cluster: an SDK v2 `auto` connect beside a 2025 connect',
    '',
    table(['client', 'server', 'era', 'connect ms', 'app certificates per connect', 'p50 ms', 'error'], teleport),
  ].join('\n');
}

export function eraTargets(results: BenchResults): TargetCheck[] {
  const rows = rowsOf(results);
  if (!rows) return [];
  const checks: TargetCheck[] = [];
  for (const upstream of ['everything', 'dual']) {
    const legacy = find(rows, 'bridge-teleport', 'sdk-v1', upstream);
    const auto = find(rows, 'bridge-teleport', 'sdk-v2-auto', upstream);
    checks.push(
      judge(11, `SDK v2 auto connect ≤ 1.6× a 2025 connect, no extra reissue (Teleport) [${upstream}]`, [auto?.connectMs, legacy?.connectMs, auto?.reissuesPerConnect, legacy?.reissuesPerConnect], (a, l, ra, rl) => ({
        measured: `${(a / l).toFixed(2)}× (${a} vs ${l} ms); ${ra} vs ${rl} certificates per connect`,
        met: a <= 1.6 * l && ra <= rl,
      })),
    );
  }
  const bridged = rows.filter((r) => r.hop === 'bridge');
  const compared = bridged.map((b) => ({ b, m: find(rows, 'mcp-remote-auto', b.client, b.upstream) })).filter(({ b, m }) => b.connectMs !== undefined && m?.connectMs !== undefined && b.latency && m.latency);
  const faster = compared.filter(({ b, m }) => b.connectMs! < m!.connectMs! && b.latency!.p50Ms < m!.latency!.p50Ms);
  checks.push(
    judge(11, 'Bridge faster than mcp-remote --protocol auto to connect and at p50, every era combination', compared.length === bridged.length && bridged.length ? [faster.length, compared.length] : [undefined], (f, n) => ({
      measured: `${f} of ${n} combinations`,
      met: f === n,
    })),
  );
  return checks;
}
