import { performance } from 'node:perf_hooks';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN } from '../../test/support/cli';
import { openSession, type ClientKind, type ScenarioSession } from '../../test/support/scenario/clients';
import { bridgeCommand, mcpRemoteCommand, type StdioCommand } from '../../test/support/stdio-peers';
import type { Fixtures } from './fixtures-client';
import { latencySummary } from './measure';
import type { Counts } from './options';
import type { EraResults, EraRow } from './results';
import { median, round } from './stats';

/**
 * Issue 11's measurements: for each client era (SDK v1 = 2025, SDK v2 `auto`, SDK v2 pinned to 2026-07-28) and each
 * upstream era (server-everything = 2025, SDK v2 dual-era, SDK v2 2026-only), the connect time and echo latency
 * through the bridge beside mcp-remote --protocol auto (the peer that translates between eras too); then, through
 * the test cluster, an `auto` connect beside a 2025 connect with the app certificates each costs.
 */

type Progress = (message: string) => void;
const CLIENTS: ClientKind[] = ['sdk-v1', 'sdk-v2-auto', 'sdk-v2-2026'];
const UPSTREAMS = ['everything', 'dual', 'modern-only'] as const;
type EraUpstream = (typeof UPSTREAMS)[number];

/** The echo every upstream has, with the same argument. */
const ECHO = { name: 'echo', arguments: { message: 'ping' } };

function commandFor(hop: string, fixtures: Fixtures, upstream: EraUpstream, urlOf: (u: EraUpstream) => string): StdioCommand {
  const info = fixtures.info;
  switch (hop) {
    case 'bridge':
      return bridgeCommand(urlOf(upstream));
    case 'mcp-remote-auto':
      return mcpRemoteCommand(urlOf(upstream), { protocol: 'auto' });
    default: // bridge-teleport: the app of the same name in the test cluster
      return { command: process.execPath, args: [BIN, 'connect', upstream, '-i', info.identityDir, '--proxy', info.proxyAddr, '--ca', info.publicCaFile] };
  }
}

async function connect(client: ClientKind, command: StdioCommand): Promise<{ session: ScenarioSession; ms: number }> {
  const start = performance.now();
  // A host passes only the minimal environment (mcp-behaviour.md), plus what the command needs.
  const session = await openSession(client, { kind: 'stdio', command: command.command, args: command.args, env: { ...getDefaultEnvironment(), ...command.env } }, {});
  return { session, ms: performance.now() - start };
}

async function measure(hop: string, client: ClientKind, upstream: EraUpstream, command: () => StdioCommand, counts: Counts, fixtures: Fixtures): Promise<EraRow> {
  const row: EraRow = { hop, client, upstream, connects: counts.eraConnects };
  try {
    const connectMs: number[] = [];
    if (hop === 'bridge-teleport') await fixtures.clearRecorder();
    for (let i = 0; i < counts.eraConnects; i++) {
      const { session, ms } = await connect(client, command());
      connectMs.push(ms);
      row.era = session.era ?? row.era;
      await session.close();
    }
    if (hop === 'bridge-teleport') row.reissuesPerConnect = round((await fixtures.countReissues()) / counts.eraConnects, 2);
    row.connectMs = round(median(connectMs), 1);
    const { session } = await connect(client, command());
    try {
      const samples: number[] = [];
      for (let i = 0; i < counts.eraCalls; i++) {
        const start = performance.now();
        const result = await session.callTool(ECHO);
        if (result.isError) throw new Error(`echo returned isError: ${result.text.slice(0, 200)}`);
        samples.push(performance.now() - start);
      }
      row.latency = latencySummary(samples);
    } finally {
      await session.close();
    }
  } catch (err) {
    row.error = (err as Error).message.slice(0, 300);
  }
  return row;
}

export async function runEras(fixtures: Fixtures, counts: Counts, progress: Progress): Promise<EraResults> {
  const urls: Record<EraUpstream, string> = { everything: fixtures.info.upstreams.everything.url, ...fixtures.info.eraUpstreams };
  const urlOf = (upstream: EraUpstream) => urls[upstream];
  const rows: EraRow[] = [];
  for (const upstream of UPSTREAMS) {
    for (const client of CLIENTS) {
      // A client pinned to 2026-07-28 cannot use a 2025-only server whatever is between them.
      if (client === 'sdk-v2-2026' && upstream === 'everything') continue;
      for (const hop of ['bridge', 'mcp-remote-auto']) {
        progress(`eras: ${client} × ${upstream} through ${hop}`);
        rows.push(await measure(hop, client, upstream, () => commandFor(hop, fixtures, upstream, urlOf), counts, fixtures));
      }
    }
  }
  for (const upstream of ['everything', 'dual'] as const) {
    for (const client of ['sdk-v1', 'sdk-v2-auto'] as const) {
      progress(`eras: ${client} × ${upstream} through the test cluster`);
      rows.push(await measure('bridge-teleport', client, upstream, () => commandFor('bridge-teleport', fixtures, upstream, urlOf), counts, fixtures));
    }
  }
  return { rows };
}
