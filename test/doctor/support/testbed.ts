/**
 * A test cluster with three apps (an mcp+http app backed by the demo MCP server, an mcp+stdio app and a plain web
 * app), tbot emulator outputs for it, and the built CLI run as a child process against it.
 */
import { execFile } from 'node:child_process';
import { startTestCluster, type TestCluster } from '../../../fixtures/cluster';
import type { TbotOptions } from '../../../fixtures/tbot';
import { startDemoServer, type DemoServer } from '../../../fixtures/upstreams';
import { BIN, cleanEnv } from '../../support/cli';
import { clusterBots } from '../../../fixtures/cluster/bots';


export const MCP_APP = 'docs';
export const STDIO_APP = 'local-tools';
export const WEB_APP = 'grafana';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Testbed {
  cluster: TestCluster;
  demo: DemoServer;
  /** Starts a tbot emulator for the bot (identity service unless `app` is given) and returns its output directory. */
  identity(options?: Partial<Pick<TbotOptions, 'allowReissue' | 'ttlMs'>> & { app?: string }): Promise<string>;
  /** --proxy and --ca for this cluster. */
  proxyArgs(): string[];
  /** Runs `node bin/mcp-bridge ARGS` without any MCP_BRIDGE_ or TELEPORT_ variables from the test's environment. */
  cli(...args: string[]): Promise<Outcome>;
  close(): Promise<void>;
}

export function runCli(args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: cleanEnv(), timeout: 45_000 }, (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

export async function startTestbed(): Promise<Testbed> {
  const demo = await startDemoServer({ requireJwt: false });
  const cluster = await startTestCluster({
    apps: [
      { name: MCP_APP, uri: `mcp+${demo.url}`, publicAddr: 'docs.mcp-bridge.test', description: 'Team docs', labels: { env: 'dev', team: 'docs' } },
      { name: STDIO_APP, uri: 'mcp+stdio://', publicAddr: 'local-tools.mcp-bridge.test', labels: { env: 'dev' } },
      { name: WEB_APP, uri: 'http://127.0.0.1:9/', publicAddr: 'grafana.mcp-bridge.test', labels: { env: 'dev' } },
    ],
    roles: [{ name: 'mcp-user', appLabels: { env: 'dev' }, mcpTools: { allow: ['*'] } }],
  });
  const bots = await clusterBots(cluster);
  return {
    cluster,
    demo,
    async identity(options = {}) {
      return (await bots.start({ name: 'agent', roles: ['mcp-user'], ...options })).outDir;
    },
    proxyArgs: () => ['--proxy', cluster.proxyAddr, '--ca', cluster.publicCaFile],
    cli: (...args) => runCli(args),
    async close() {
      await bots.close();
      await cluster.close();
      await demo.stop();
    },
  };
}
