/**
 * The fault-injection bed: a test cluster whose MCP app is server-everything (restartable), a tbot emulator writing
 * an identity the bridge may reissue from, and the built CLI (`bin/mcp-bridge connect`) spawned by an SDK client,
 * exactly as Claude Desktop runs it. close() stops everything it started.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startTestCluster, type TestCluster } from '../../../fixtures/cluster';
import type { Tbot } from '../../../fixtures/tbot';
import { startClusterTbot } from '../../../fixtures/cluster/bots';
import { startServerEverything, type ServerEverything } from '../../../fixtures/upstreams';
import { InspectorClient, inspectorUrlIn } from './inspector';

const REPO = resolve(__dirname, '..', '..', '..');
const BIN = join(REPO, 'bin', 'mcp-bridge');
export const APP = 'everything';

export interface FaultBedOptions {
  /** Identity certificate lifetime; tbot's default (1 h) unless a test needs refresh-ahead to happen. */
  ttlMs?: number;
  /** Extra `connect` arguments, e.g. -H headers. */
  bridgeArgs?: string[];
}

export interface Bridge {
  client: Client;
  pid: number;
  stderr(): string;
  /** The bridge's debug log file. */
  logFile: string;
  /**
   * RSS in kB after a full garbage collection. V8 collects old objects only when its heap limit, which grows with
   * the allocation rate, is reached; the native memory behind garbage wrappers (TLS, HTTP/2) waits for that too.
   * Unforced samples therefore measure how far V8 lets garbage pile up (tens of MB under load, with or without
   * faults), not what the bridge retains.
   */
  settledRssKb(): Promise<number>;
  close(): Promise<void>;
}

export interface FaultBed {
  cluster: TestCluster;
  tbot: Tbot;
  upstream: ServerEverything;
  /** The bridge under test, already initialised. */
  bridge: Bridge;
  dir: string;
  close(): Promise<void>;
}

/** Resident set size of a process in kB, from /proc (Linux). */
export async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

async function startBridge(cluster: TestCluster, identityDir: string, dir: string, extra: string[]): Promise<Bridge> {
  const logFile = join(dir, 'bridge.log');
  // Only what an SDK client passes to its child (PATH, HOME…): nothing from this test's MCP_BRIDGE_/TELEPORT_ env.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(MCP_BRIDGE_|TELEPORT_)/.test(k))) as Record<string, string>;
  // The inspector lets settledRssKb() force a garbage collection; it listens on a free loopback port.
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'connect', APP, '--proxy', cluster.proxyAddr, '--ca', cluster.publicCaFile, '-i', identityDir, '--log-level', 'debug', '--log-file', logFile, ...extra],
    env,
    stderr: 'pipe',
  });
  let stderr = '';
  let inspectorUrl: string | undefined;
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-256 * 1024);
    inspectorUrl ??= inspectorUrlIn(stderr); // kept: later output pushes the line out of the tail
  });
  const client = new Client({ name: 'fault-suite', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  const pid = transport.pid!;
  let inspector: Promise<InspectorClient> | undefined;
  return {
    client,
    pid,
    stderr: () => stderr,
    logFile,
    async settledRssKb() {
      if (!inspectorUrl) throw new Error('the bridge printed no inspector address (was --inspect dropped from NODE_OPTIONS?)');
      inspector ??= InspectorClient.connect(inspectorUrl);
      await (await inspector).collectGarbage();
      return rssKb(pid);
    },
    async close() {
      await (await inspector?.catch(() => undefined))?.close();
      await client.close();
    },
  };
}

export async function startFaultBed(options: FaultBedOptions = {}): Promise<FaultBed> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-bridge-faults-'));
  const upstream = await startServerEverything();
  const cluster = await startTestCluster({
    apps: [{ name: APP, uri: `mcp+${upstream.url}`, publicAddr: `${APP}.mcp-bridge.test`, labels: { env: 'test' } }],
    roles: [{ name: 'mcp-all', appLabels: { '*': '*' }, mcpTools: { allow: ['*'] } }],
    upstreams: [upstream],
    tmpDir: dir,
  });
  const tbot = await startClusterTbot(cluster, join(dir, 'tbot'), { name: 'agent', roles: ['mcp-all'], allowReissue: true, ttlMs: options.ttlMs });
  const bridge = await startBridge(cluster, tbot.outDir, dir, options.bridgeArgs ?? []);
  return {
    cluster,
    tbot,
    upstream,
    bridge,
    dir,
    async close() {
      await bridge.close();
      await tbot.stop();
      await cluster.close();
      await upstream.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
