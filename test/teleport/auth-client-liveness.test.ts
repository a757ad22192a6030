import { startTcpRelay, type TcpRelay } from '../../fixtures/net/tcp-relay';
import { silentLogger } from '../../src/log/logger';
import { AuthClient } from '../../src/teleport/auth-client';
import { parseProxyAddress } from '../../src/teleport/proxy-address';
import { startHarness, type Harness } from './harness';

/**
 * An Auth Service connection that goes silent (no answer, no reset) is detected by an HTTP/2 ping and replaced:
 * the call made on it succeeds on a new connection instead of waiting out its timeout, again and again.
 */

let harness: Harness;
let relay: TcpRelay;

beforeAll(async () => {
  harness = await startHarness({});
  relay = await startTcpRelay(harness.cluster.proxyPort);
});

afterAll(async () => {
  await relay?.close();
  await harness?.close();
});

test('a call on a frozen connection is made again on a new one after an unanswered ping', async () => {
  const { watcher } = await harness.bot({ name: 'liveness', roles: ['mcp-all'] });
  const creds = watcher.current();
  const client = new AuthClient({
    proxy: parseProxyAddress(relay.addr),
    clusterName: harness.cluster.clusterName,
    credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: creds.caPems },
    logger: silentLogger,
    // A long call timeout: only the ping can rescue the call in time for the test's own timeout.
    timeoutMs: 60_000,
    pingTimeoutMs: 2_000, // generous: a healthy connection must never miss it on a loaded machine
  });
  try {
    await client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 });
    expect(relay.connections).toBe(1);
    relay.freeze();
    const rpcsBefore = harness.cluster.recorder.rpcs.length;
    await client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 });
    expect(relay.connections).toBe(2);
    // The frozen connection delivered nothing: the one answered call came over the new connection.
    expect(harness.cluster.recorder.rpcs.length).toBe(rpcsBefore + 1);
    // A healthy connection is kept: the next call reuses it.
    await client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 });
    expect(relay.connections).toBe(2);
  } finally {
    await client.close();
  }
}, 20_000);
