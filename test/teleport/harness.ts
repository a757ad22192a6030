import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type AppSpec, type RoleSpec, type TestCluster, type TestClusterOptions } from '../../fixtures/cluster';
import { startTbot, type Tbot, type TbotOptions } from '../../fixtures/tbot';
import { CredentialWatcher } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { AuthClient } from '../../src/teleport/auth-client';
import { parseProxyAddress } from '../../src/teleport/proxy-address';

/** A test cluster and tbot emulators writing into a temp directory; close() stops everything it started. */
export interface Harness {
  cluster: TestCluster;
  /** Starts a tbot emulator for `bot-<name>` and a watcher on its output. */
  bot(options: { name: string; roles: string[]; allowReissue?: boolean; app?: string; ttlMs?: number }): Promise<{ tbot: Tbot; watcher: CredentialWatcher }>;
  /** An Auth Service client for the watcher's current identity. */
  auth(watcher: CredentialWatcher): AuthClient;
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
  const dir = await mkdtemp(join(tmpdir(), 'mcp-bridge-teleport-'));
  const cluster = await startTestCluster({ roles: ROLES, ...options });
  const closers: (() => Promise<void>)[] = [];
  return {
    cluster,
    async bot({ name, roles, allowReissue, app, ttlMs }) {
      const tbotOptions: TbotOptions = {
        outDir: join(dir, `${name}-${closers.length}`),
        service: app ? 'application' : 'identity',
        clusterName: cluster.clusterName,
        userCA: cluster.cas.user,
        hostCA: cluster.cas.host,
        suite: cluster.suite,
        bot: { name, roles },
        allowReissue,
        ttlMs,
        app: app ? cluster.appOutput(app) : undefined,
      };
      const tbot = await startTbot(tbotOptions);
      cluster.control.attachTbot(tbot);
      const watcher = new CredentialWatcher({ kind: 'path', path: tbot.outDir }, { logger: silentLogger, pollIntervalMs: 100, debounceMs: 20 });
      await watcher.start();
      closers.push(async () => {
        await watcher.close();
        await tbot.stop();
      });
      return { tbot, watcher };
    },
    auth(watcher) {
      const creds = watcher.current();
      const client = new AuthClient({
        proxy: parseProxyAddress(cluster.proxyAddr),
        clusterName: cluster.clusterName,
        credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: creds.caPems },
        logger: silentLogger,
      });
      closers.push(() => client.close());
      return client;
    },
    async close() {
      for (const close of closers.reverse()) await close();
      await cluster.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
