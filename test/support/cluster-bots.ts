import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCluster } from '../../fixtures/cluster';
import { createTbot, type Tbot, type TbotOptions } from '../../fixtures/tbot';

/** What differs between the bots of one test: everything else comes from the cluster. */
export interface BotOptions extends Partial<Pick<TbotOptions, 'allowReissue' | 'ttlMs' | 'renewIntervalMs'>> {
  name: string;
  roles: string[];
  /** An `application` service output for this app; an `identity` output without it. */
  app?: string;
}

/** tbot emulators for one test cluster, each writing into its own directory under one temp root. */
export interface ClusterBots {
  /** A tbot that has written nothing yet (its directory does not exist until `start()`), attached to the cluster. */
  create(options: BotOptions): Tbot;
  /** A tbot with its first generation on disk, attached to the cluster. */
  start(options: BotOptions): Promise<Tbot>;
  /** Stops every tbot and removes every output directory. */
  close(): Promise<void>;
}

export async function clusterBots(cluster: TestCluster): Promise<ClusterBots> {
  const root = await mkdtemp(join(tmpdir(), 'mcp-bridge-bots-'));
  const bots: Tbot[] = [];
  const create = (options: BotOptions): Tbot => {
    const tbot = createTbot({
      outDir: join(root, `${options.name}-${bots.length + 1}`),
      service: options.app ? 'application' : 'identity',
      app: options.app ? cluster.appOutput(options.app) : undefined,
      clusterName: cluster.clusterName,
      userCA: cluster.cas.user,
      hostCA: cluster.cas.host,
      suite: cluster.suite,
      bot: { name: options.name, roles: options.roles },
      allowReissue: options.allowReissue,
      ttlMs: options.ttlMs,
      renewIntervalMs: options.renewIntervalMs,
    });
    bots.push(tbot);
    cluster.control.attachTbot(tbot);
    return tbot;
  };
  return {
    create,
    async start(options) {
      const tbot = create(options);
      await tbot.start();
      return tbot;
    },
    async close() {
      await Promise.all(bots.map((b) => b.stop()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
