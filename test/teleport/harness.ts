import { startTestCluster, type AppSpec, type RoleSpec, type TestCluster, type TestClusterOptions } from '../../fixtures/cluster';
import type { Tbot } from '../../fixtures/tbot';
import { CredentialWatcher } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { AuthClient, type AuthClientOptions } from '../../src/teleport/auth-client';
import { parseProxyAddress } from '../../src/teleport/proxy-address';
import { clusterBots, type BotOptions } from '../../fixtures/cluster/bots';

/** A test cluster, its tbot emulators (test/support/cluster-bots) and watchers; close() stops everything it started. */
export interface Harness {
  cluster: TestCluster;
  /** Starts a tbot emulator for `bot-<name>` and a watcher on its output. */
  bot(options: BotOptions): Promise<{ tbot: Tbot; watcher: CredentialWatcher }>;
  /** An Auth Service client for the watcher's current identity (dialing through `upgrade` when given). */
  auth(watcher: CredentialWatcher, options?: Pick<AuthClientOptions, 'upgrade'>): AuthClient;
  close(): Promise<void>;
}

export const ROLES: RoleSpec[] = [
  { name: 'mcp-all', appLabels: { '*': '*' } },
  { name: 'mcp-mfa', appLabels: { '*': '*' }, requireSessionMfa: true },
];

export function mcpApp(name: string, uri: string, extra: Partial<AppSpec> = {}): AppSpec {
  return { name, uri, publicAddr: `${name}.mcp-bridge.test`, labels: { env: 'test' }, ...extra };
}

export async function startHarness(options: TestClusterOptions): Promise<Harness> {
  const cluster = await startTestCluster({ roles: ROLES, ...options });
  const bots = await clusterBots(cluster);
  const closers: (() => Promise<void>)[] = [];
  return {
    cluster,
    async bot(botOptions) {
      const tbot = await bots.start(botOptions);
      const watcher = new CredentialWatcher({ kind: 'path', path: tbot.outDir }, { logger: silentLogger, pollIntervalMs: 100, debounceMs: 20 });
      await watcher.start();
      closers.push(() => watcher.close());
      return { tbot, watcher };
    },
    auth(watcher, { upgrade } = {}) {
      const creds = watcher.current();
      const client = new AuthClient({
        proxy: parseProxyAddress(cluster.proxyAddr),
        clusterName: cluster.clusterName,
        credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: creds.caPems },
        logger: silentLogger,
        upgrade,
      });
      closers.push(() => client.close());
      return client;
    },
    async close() {
      for (const close of closers.reverse()) await close();
      await bots.close();
      await cluster.close();
    },
  };
}
