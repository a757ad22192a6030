/**
 * The benchmark's servers in their own process: server-everything, the demo server, the test cluster with both as
 * MCP apps (server-everything also as a stdio app and, from its SSE mode, as an SSE app), and a tbot emulator
 * (allow_reissue) writing the bridge's identity. Started by fixtures-client.ts over an
 * IPC channel; answers renew / clear-recorder / stop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '../../fixtures/cluster';
import { generateKeyPair, issueIdentityCert, keyAlgorithmForSuite, privateKeyPem } from '../../fixtures/pki';
import type { Tbot } from '../../fixtures/tbot';
import { serverEverythingStdioCommand, startDemoServer, startServerEverything } from '../../fixtures/upstreams';
import { startSdkV2Server } from '../../fixtures/upstreams/sdk-v2/server';
import { startClusterTbot } from '../../fixtures/cluster/bots';
import type { AppType, BenchUpstream, FixtureInfo, HostMessage, HostRequest } from './fixture-protocol';

const ROLE = 'mcp-bench';
const BOT = { name: 'bench', roles: [ROLE] };
const CERT_TTL_MS = 3600_000;

function send(message: HostMessage): void {
  process.send?.(message);
}

/** An app certificate like the one Teleport issues for `app`: a fresh app session in the cluster, routed to it. */
async function appCertFor(cluster: TestCluster, app: string, url: string): Promise<BenchUpstream> {
  const spec = cluster.apps.find((a) => a.name === app)!;
  const username = `bot-${BOT.name}`;
  const expires = new Date(Date.now() + CERT_TTL_MS);
  const session = cluster.sessions.create({ username, roles: BOT.roles, appName: app, publicAddr: spec.publicAddr, clusterName: cluster.clusterName, expires });
  const key = await generateKeyPair(keyAlgorithmForSuite(cluster.suite));
  const cert = await issueIdentityCert(cluster.cas.user, {
    publicKey: key,
    identity: {
      username,
      roles: BOT.roles,
      teleportCluster: cluster.clusterName,
      app: { name: app, publicAddr: spec.publicAddr, clusterName: cluster.clusterName, sessionId: session.id },
    },
    notAfter: expires,
  });
  return { app, url, appCert: { certPem: cert.pem, keyPem: privateKeyPem(key) } };
}

/** Undo steps, run newest first; stopOnce() runs them a single time however often it is called. */
const cleanups: Array<() => Promise<unknown>> = [];
let stopping: Promise<void> | undefined;
function stopOnce(): Promise<void> {
  stopping ??= (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  })();
  return stopping;
}

async function main(): Promise<void> {
  try {
    const scratchDir = await mkdtemp(join(tmpdir(), 'mcp-bridge-bench-'));
    cleanups.push(() => rm(scratchDir, { recursive: true, force: true }));
    const everything = await startServerEverything();
    cleanups.push(() => everything.stop());
    const demo = await startDemoServer({ requireJwt: false });
    cleanups.push(() => demo.stop());
    const sse = await startServerEverything({ mode: 'sse' });
    cleanups.push(() => sse.stop());
    const appTypes: Record<AppType, string> = { 'streamable-http': 'everything', stdio: 'everything-stdio', sse: 'everything-sse' };
    const [dual, modernOnly] = await Promise.all([startSdkV2Server({ legacy: 'stateless' }), startSdkV2Server({ legacy: 'reject' })]);
    cleanups.push(() => dual.stop(), () => modernOnly.stop());
    const cluster = await startTestCluster({
      tmpDir: scratchDir,
      // The newest App Service build relays SSE lines up to 10 MiB: the 8 MiB payload measures the relay, not the
      // lower limits of older 18.x builds (those are tests' business: test/teleport/relay-error-paths.test.ts).
      build: 'newest',
      apps: [
        { name: 'everything', uri: `mcp+${everything.url}`, publicAddr: 'everything.localhost', labels: { env: 'bench' } },
        { name: 'demo', uri: `mcp+${demo.url}`, publicAddr: 'demo.localhost', labels: { env: 'bench' } },
        { name: appTypes.stdio, uri: 'mcp+stdio://', mcp: serverEverythingStdioCommand(), publicAddr: 'everything-stdio.localhost', labels: { env: 'bench' } },
        { name: appTypes.sse, uri: `mcp+sse+${sse.url}`, publicAddr: 'everything-sse.localhost', labels: { env: 'bench' } },
        { name: 'dual', uri: `mcp+${dual.url}`, publicAddr: 'dual.localhost', labels: { env: 'bench' } },
        { name: 'modern-only', uri: `mcp+${modernOnly.url}`, publicAddr: 'modern-only.localhost', labels: { env: 'bench' } },
      ],
      roles: [{ name: ROLE, appLabels: { '*': '*' }, mcpTools: { allow: ['*'] } }],
    });
    cleanups.push(() => cluster.close());
    const identityDir = join(scratchDir, 'machine-id');
    const tbot: Tbot = await startClusterTbot(cluster, identityDir, { ...BOT, allowReissue: true });
    cleanups.push(() => tbot.stop());
    const info: FixtureInfo = {
      proxyAddr: cluster.proxyAddr,
      publicCaFile: cluster.publicCaFile,
      publicCaPem: cluster.cas.public.cert.pem,
      identityDir,
      upstreams: {
        everything: await appCertFor(cluster, 'everything', everything.url),
        demo: await appCertFor(cluster, 'demo', demo.url),
      },
      appTypes,
      eraUpstreams: { dual: dual.url, 'modern-only': modernOnly.url },
      scratchDir,
    };
    const handle = async (request: HostRequest): Promise<{ generation?: number; count?: number }> => {
      switch (request.kind) {
        case 'renew':
          return { generation: (await tbot.renewNow()).generation };
        case 'clear-recorder':
          cluster.recorder.clear();
          return {};
        case 'count-reissues':
          return { count: cluster.recorder.rpcs.filter((rpc) => rpc.method === 'GenerateUserCerts' && rpc.code === 0).length };
        case 'stop':
          await stopOnce();
          return {};
      }
    };
    process.on('message', (request: HostRequest) => {
      void handle(request).then(
        (reply) => send({ kind: 'reply', id: request.id, ...reply }),
        (err: Error) => send({ kind: 'reply', id: request.id, error: err.message }),
      );
    });
    send({ kind: 'ready', info });
  } catch (err) {
    await stopOnce();
    send({ kind: 'failed', message: (err as Error).stack ?? String(err) });
  }
}

// The driver gone (done, crashed or killed): stop the servers (server-everything runs in its own process group).
process.on('disconnect', () => void stopOnce().finally(() => process.exit(0)));
void main();
