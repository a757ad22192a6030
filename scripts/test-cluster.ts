/**
 * Runs the local Teleport test cluster for manual tries and the demo:  npx tsx scripts/test-cluster.ts
 * Starts server-everything as the MCP app `everything`, the cluster, and a tbot emulator writing a bot identity
 * (allow_reissue on), prints one JSON line with the addresses and paths, and runs until SIGINT/SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/log/logger';
import { startTestCluster } from '../fixtures/cluster';
import { startClusterTbot } from '../fixtures/cluster/bots';
import { startServerEverything } from '../fixtures/upstreams';

async function main(): Promise<void> {
  const logger = createLogger({ level: 'info', format: 'text' }).child('test-cluster');
  const dir = await mkdtemp(join(tmpdir(), 'mcp-bridge-test-cluster-'));
  const everything = await startServerEverything();
  const cluster = await startTestCluster({
    tmpDir: dir,
    apps: [{ name: 'everything', uri: `mcp+${everything.url}`, publicAddr: 'everything.localhost', labels: { env: 'dev' }, description: 'MCP reference server' }],
    roles: [{ name: 'mcp-dev', appLabels: { env: 'dev' }, mcpTools: { allow: ['*'] } }],
    upstreams: [everything],
    logger,
  });
  const identityDir = join(dir, 'machine-id');
  const tbot = await startClusterTbot(cluster, identityDir, { name: 'demo', roles: ['mcp-dev'], allowReissue: true });

  process.stdout.write(
    JSON.stringify({
      proxyAddr: cluster.proxyAddr,
      clusterName: cluster.clusterName,
      publicCaFile: cluster.publicCaFile,
      identityDir,
      identityFile: join(identityDir, 'identity'),
      apps: cluster.apps.map((a) => ({ name: a.name, uri: a.uri })),
      upstream: everything.url,
    }) + '\n',
  );

  const stop = async (signal: string) => {
    logger.info('shutting down', { signal });
    await tbot.stop();
    await cluster.close();
    await everything.stop();
    await rm(dir, { recursive: true, force: true });
  };
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => void stop(signal).finally(resolve);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

main().catch((err: Error) => {
  process.stderr.write(`test cluster failed: ${err.message}\n`);
  process.exit(1);
});
