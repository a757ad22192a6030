import { join } from 'node:path';
import { startTestCluster, type AppSpec, type RoleSpec, type TestCluster } from '../../fixtures/cluster';
import type { RenewalSummary, Tbot } from '../../fixtures/tbot';
import { createClusterTbot } from '../../fixtures/cluster/bots';
import { findFreePort, startDemoServer, startServerEverything, type DemoServer, type ServerEverything } from '../../fixtures/upstreams';

/**
 * Everything the demo runs on this machine besides mcp-bridge: the local Teleport test cluster, two MCP servers
 * registered with it as apps, and a tbot emulator writing the bot's identity (identity service, allow_reissue).
 */

export const CLUSTER_NAME = 'demo.mcp-bridge.test';
export const BOT = { name: 'demo-agent', roles: ['mcp-demo'] };
/** The app whose server verifies Teleport's JWT and answers `whoami`, and the reference server used for `echo`. */
export const APPS = { whoami: 'demo', echo: 'everything' } as const;

/**
 * Certificate lifetime: tbot's ratio of three renewal intervals (1 h / 20 min), plus Teleport's one-minute NotBefore
 * backdate, so mcp-bridge's "tbot has stopped renewing" warning (a third of the lifetime left) stays quiet while
 * tbot renews every few seconds.
 */
const ttlMs = (renewEveryMs: number) => 3 * renewEveryMs + 60_000;

export interface DemoEnvironmentOptions {
  /** Where tbot writes (created 0700) and where the cluster puts its public CA file. */
  tmpDir: string;
  renewEveryMs: number;
  /** Every generation tbot writes, the first one included. */
  onRenewal(summary: RenewalSummary): void;
}

export interface DemoEnvironment {
  cluster: TestCluster;
  tbot: Tbot;
  /** The tbot destination directory: what `mcp-bridge connect -i` reads. */
  identityDir: string;
  /** Stops tbot, the cluster and both MCP servers; safe to call once whatever failed. */
  close(): Promise<void>;
}

const ROLE: RoleSpec = { name: BOT.roles[0], appLabels: { env: 'demo' }, mcpTools: { allow: ['*'] } };

function mcpApp(name: string, port: number, description: string): AppSpec {
  return { name, uri: `mcp+http://127.0.0.1:${port}/mcp`, publicAddr: `${name}.${CLUSTER_NAME}`, description, labels: { env: 'demo' } };
}

/** Runs `stop` for every part started so far, newest first, then rethrows the first failure. */
async function stopAll(stops: (() => Promise<unknown>)[]): Promise<void> {
  let firstError: unknown;
  for (const stop of stops.reverse()) {
    await stop().catch((err: unknown) => (firstError ??= err));
  }
  if (firstError !== undefined) throw firstError;
}

export async function startDemoEnvironment(options: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const stops: (() => Promise<unknown>)[] = [];
  try {
    // The demo server needs the proxy's JWKS URL and the cluster needs the demo server's URI: fix the port first.
    const demoPort = await findFreePort();
    const everything: ServerEverything = await startServerEverything();
    stops.push(() => everything.stop());
    const cluster = await startTestCluster({
      clusterName: CLUSTER_NAME,
      tmpDir: options.tmpDir,
      apps: [
        mcpApp(APPS.whoami, demoPort, 'Demo MCP server that verifies the Teleport app JWT'),
        mcpApp(APPS.echo, everything.port, 'MCP reference server (server-everything)'),
      ],
      roles: [ROLE],
      upstreams: [everything],
    });
    stops.push(() => cluster.close());
    const demoServer: DemoServer = await startDemoServer({
      port: demoPort,
      requireJwt: true,
      jwksUrl: `https://${cluster.proxyAddr}/.well-known/jwks.json`,
      jwksCa: cluster.cas.public.cert.pem,
      issuer: CLUSTER_NAME,
    });
    stops.push(() => demoServer.stop());
    cluster.control.attachUpstream(demoServer);

    const identityDir = join(options.tmpDir, 'tbot');
    const tbot = createClusterTbot(cluster, identityDir, { ...BOT, allowReissue: true, renewIntervalMs: options.renewEveryMs, ttlMs: ttlMs(options.renewEveryMs) });
    tbot.on('renewed', options.onRenewal);
    stops.push(() => tbot.stop());
    await tbot.start();
    return { cluster, tbot, identityDir, close: () => stopAll(stops.splice(0)) };
  } catch (err) {
    await stopAll(stops).catch(() => undefined); // the start-up error is the one worth reporting
    throw err;
  }
}
