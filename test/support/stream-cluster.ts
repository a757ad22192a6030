/**
 * A test cluster serving every kind of stream app (ALPN teleport-mcp): server-everything launched in stdio mode per
 * connection, server-everything's SSE mode, Teleport's demo server, and the scripted stdio server, with tbot
 * emulators: the world an end-to-end `mcp-bridge connect` test of stdio and SSE apps runs in.
 */
import { DEMO_APP_NAME, startTestCluster, type AppSpec, type RoleSpec, type StreamAppPolicy, type TestCluster } from '../../fixtures/cluster';
import { clusterBots, type ClusterBots } from '../../fixtures/cluster/bots';
import { scriptedStdioCommand, serverEverythingStdioCommand, startServerEverything, type ServerEverything } from '../../fixtures/upstreams';

export const STREAM_APPS = {
  /** server-everything, `node dist/index.js stdio`, one process per connection. */
  stdio: 'everything-stdio',
  /** server-everything's SSE mode (`mcp+sse+http://…/sse`). */
  sse: 'everything-sse',
  demo: DEMO_APP_NAME,
  /** fixtures/upstreams/scripted-stdio.ts: exits, writes garbage, echoes. */
  scripted: 'scripted',
} as const;

export const STREAM_ROLES = {
  all: 'mcp-all',
  /** Only echo (server-everything) and teleport_user_info (demo). */
  some: 'mcp-some-tools',
} as const;

const ROLE_SPECS: RoleSpec[] = [
  { name: STREAM_ROLES.all, appLabels: { '*': '*' }, mcpTools: { allow: ['*'] } },
  { name: STREAM_ROLES.some, appLabels: { '*': '*' }, mcpTools: { allow: ['echo', 'teleport_user_info'] } },
];

export interface StreamCluster {
  cluster: TestCluster;
  sse: ServerEverything;
  bots: ClusterBots;
  /** `connect APP -i DIR --proxy ADDR --ca PUBLIC_CA`, then `extra`. */
  connectArgs(app: string, identityDir: string, extra?: string[]): string[];
  close(): Promise<void>;
}

const app = (name: string, uri: string, mcp?: AppSpec['mcp']): AppSpec => ({ name, uri, mcp, publicAddr: `${name}.mcp-bridge.test`, labels: { env: 'test' } });

export async function startStreamCluster(options: { streamApps?: Partial<StreamAppPolicy> } = {}): Promise<StreamCluster> {
  const sse = await startServerEverything({ mode: 'sse' });
  const cluster = await startTestCluster({
    roles: ROLE_SPECS,
    apps: [
      app(STREAM_APPS.stdio, 'mcp+stdio://', serverEverythingStdioCommand()),
      app(STREAM_APPS.sse, `mcp+sse+${sse.url}`),
      app(STREAM_APPS.scripted, 'mcp+stdio://', scriptedStdioCommand()),
    ],
    mcpDemoServer: true,
    streamApps: options.streamApps,
    upstreams: [sse],
  });
  const bots = await clusterBots(cluster);
  return {
    cluster,
    sse,
    bots,
    connectArgs: (name, identityDir, extra = []) => ['connect', name, '-i', identityDir, '--proxy', cluster.proxyAddr, '--ca', cluster.publicCaFile, ...extra],
    async close() {
      await bots.close();
      await cluster.close();
      await sse.stop();
    },
  };
}
