/**
 * A test cluster serving the real MCP upstreams (server-everything and the JWT-checking demo server) plus apps that
 * exist only to fail (stdio transport, plain web app, stopped upstream), with tbot emulators for it: the world an
 * end-to-end `mcp-bridge connect` test runs in.
 */
import { startTestCluster, type AppSpec, type RoleSpec, type TestCluster } from '../../fixtures/cluster';
import { findFreePort, startDemoServer, startServerEverything, type DemoServer, type ServerEverything } from '../../fixtures/upstreams';
import { clusterBots, type ClusterBots } from '../../fixtures/cluster/bots';

export const APPS = {
  everything: 'everything',
  demo: 'demo',
  /** The demo server answering with JSON bodies instead of SSE (what passes Teleport's SSE line limits). */
  demoJson: 'demo-json',
  stdio: 'local-tools',
  web: 'grafana',
  /** An mcp+http app whose server is not running: the App Service answers 502. */
  down: 'down',
} as const;

export const ROLES = {
  /** Every app, every tool. */
  all: 'mcp-all',
  /** Every app; on the demo server only echo and time. */
  someTools: 'mcp-some-tools',
  /** Every app, with per-session MFA. */
  mfa: 'mcp-mfa',
} as const;

const ROLE_SPECS: RoleSpec[] = [
  { name: ROLES.all, appLabels: { '*': '*' }, mcpTools: { allow: ['*'] } },
  { name: ROLES.someTools, appLabels: { '*': '*' }, mcpTools: { allow: ['echo', 'time'] } },
  { name: ROLES.mfa, appLabels: { '*': '*' }, mcpTools: { allow: ['*'] }, requireSessionMfa: true },
];

export interface McpCluster {
  cluster: TestCluster;
  everything: ServerEverything;
  demo: DemoServer;
  demoJson: DemoServer;
  bots: ClusterBots;
  /** `connect APP -i DIR --proxy ADDR --ca PUBLIC_CA`, then `extra`. */
  connectArgs(app: string, identityDir: string, extra?: string[]): string[];
  close(): Promise<void>;
}

const app = (name: string, uri: string): AppSpec => ({ name, uri, publicAddr: `${name}.mcp-bridge.test`, labels: { env: 'test' } });

export async function startMcpCluster(options: { appServiceLimits?: boolean } = {}): Promise<McpCluster> {
  const [demoPort, demoJsonPort, downPort, everything] = await Promise.all([findFreePort(), findFreePort(), findFreePort(), startServerEverything()]);
  const cluster = await startTestCluster({
    appServiceLimits: options.appServiceLimits,
    roles: ROLE_SPECS,
    apps: [
      app(APPS.everything, `mcp+${everything.url}`),
      app(APPS.demo, `mcp+http://127.0.0.1:${demoPort}/mcp`),
      app(APPS.demoJson, `mcp+http://127.0.0.1:${demoJsonPort}/mcp`),
      app(APPS.stdio, 'mcp+stdio://'),
      app(APPS.web, 'http://127.0.0.1:9/'),
      app(APPS.down, `mcp+http://127.0.0.1:${downPort}/mcp`),
    ],
    upstreams: [everything],
  });
  // The demo server trusts only JWTs signed by this cluster, fetched from the proxy like a real app would.
  const jwt = { requireJwt: true, jwksUrl: `https://${cluster.proxyAddr}/.well-known/jwks.json`, jwksCa: cluster.cas.public.cert.pem, issuer: cluster.clusterName };
  const [demo, demoJson] = await Promise.all([
    startDemoServer({ port: demoPort, ...jwt }),
    startDemoServer({ port: demoJsonPort, jsonResponse: true, ...jwt }),
  ]);
  const bots = await clusterBots(cluster);
  return {
    cluster,
    everything,
    demo,
    demoJson,
    bots,
    connectArgs: (name, identityDir, extra = []) => ['connect', name, '-i', identityDir, '--proxy', cluster.proxyAddr, '--ca', cluster.publicCaFile, ...extra],
    async close() {
      await bots.close();
      await cluster.close();
      await Promise.all([demo.stop(), demoJson.stop(), everything.stop()]);
    },
  };
}
