import { silentLogger } from '../../src/log/logger';
import { connUpgradeOverride } from '../../src/teleport/conn-upgrade-env';
import { ConnectionUpgrade } from '../../src/teleport/connection-upgrade';
import { parseProxyAddress } from '../../src/teleport/proxy-address';
import { startHarness, type Harness } from './harness';

/** Detection and the WebSocket connection upgrade against the test cluster, in process. */

describe('TELEPORT_TLS_ROUTING_CONN_UPGRADE', () => {
  test('true/false apply to every proxy, host:port=bool entries (, or ;) to the one they name', () => {
    expect(connUpgradeOverride('a.example.com:443', 'true')).toBe(true);
    expect(connUpgradeOverride('a.example.com:443', 'FALSE')).toBe(false);
    expect(connUpgradeOverride('a.example.com:443', 'b.example.com:443=true;a.example.com:443=false')).toBe(false);
    expect(connUpgradeOverride('a.example.com:443', 'b.example.com:443=true,a.example.com:443=1')).toBe(true);
    expect(connUpgradeOverride('c.example.com:443', 'b.example.com:443=true')).toBeUndefined();
    expect(connUpgradeOverride('a.example.com:443', undefined)).toBeUndefined();
  });
});

describe('behind an L7 load balancer', () => {
  let harness: Harness;
  const saved = process.env.TELEPORT_TLS_ROUTING_CONN_UPGRADE;
  beforeAll(async () => {
    harness = await startHarness({ l7LoadBalancer: true, upgradePingIntervalMs: 20 });
  });
  afterAll(() => harness?.close());
  afterEach(() => {
    if (saved === undefined) delete process.env.TELEPORT_TLS_ROUTING_CONN_UPGRADE;
    else process.env.TELEPORT_TLS_ROUTING_CONN_UPGRADE = saved;
  });
  const trust = () => ({ extraCAs: [harness.cluster.cas.public.cert.pem], insecure: false });

  test('the probe finds the upgrade required; on a cluster with ALPN routing it does not', async () => {
    const proxy = parseProxyAddress(harness.cluster.proxyAddr);
    expect(await new ConnectionUpgrade(proxy, trust(), silentLogger).required()).toBe(true);
    const plain = await startHarness({});
    try {
      const direct = parseProxyAddress(plain.cluster.proxyAddr);
      expect(await new ConnectionUpgrade(direct, { extraCAs: [plain.cluster.cas.public.cert.pem], insecure: false }, silentLogger).required()).toBe(false);
    } finally {
      await plain.close();
    }
  });

  test('auth gRPC runs inside an alpn-ping upgrade, verified against the Host CA, and answers the pings', async () => {
    const { watcher } = await harness.bot({ name: 'upgraded', roles: ['mcp-all'] });
    const proxy = parseProxyAddress(harness.cluster.proxyAddr);
    const before = harness.cluster.control.counters();
    const client = harness.auth(watcher, { upgrade: new ConnectionUpgrade(proxy, trust(), silentLogger) });
    try {
      await client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 });
      const after = harness.cluster.control.counters();
      expect(after.connectionUpgrades).toBe(before.connectionUpgrades + 1);
      expect(harness.cluster.recorder.rpcs.some((r) => r.method === 'ListResources' && r.caller === 'bot-upgraded')).toBe(true);
      // The server pings every 20 ms here; a pong proves the client answers (waiting on an event, not on time).
      while (harness.cluster.control.counters().upgradePongs === before.upgradePongs) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await client.close();
    }
  });

  test('TELEPORT_TLS_ROUTING_CONN_UPGRADE=false prevents the upgrade: auth then fails to negotiate', async () => {
    process.env.TELEPORT_TLS_ROUTING_CONN_UPGRADE = 'false';
    const { watcher } = await harness.bot({ name: 'no-upgrade', roles: ['mcp-all'] });
    const proxy = parseProxyAddress(harness.cluster.proxyAddr);
    const client = harness.auth(watcher, { upgrade: new ConnectionUpgrade(proxy, trust(), silentLogger) });
    try {
      await expect(client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 })).rejects.toThrow(/AUTH_UNREACHABLE|TLS_VERIFY_FAILED/);
    } finally {
      await client.close();
    }
  });
});

describe('an old proxy behind an L7 load balancer', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ l7LoadBalancer: true, connectionUpgrade: false });
  });
  afterAll(() => harness?.close());

  test('404 from /webapi/connectionupgrade is CONN_UPGRADE_UNSUPPORTED', async () => {
    const { watcher } = await harness.bot({ name: 'old', roles: ['mcp-all'] });
    const proxy = parseProxyAddress(harness.cluster.proxyAddr);
    const client = harness.auth(watcher, { upgrade: new ConnectionUpgrade(proxy, { extraCAs: [harness.cluster.cas.public.cert.pem], insecure: false }, silentLogger) });
    try {
      await expect(client.listResources({ ResourceType: 'app_server', Namespace: 'default', Limit: 10 })).rejects.toThrow(/CONN_UPGRADE_UNSUPPORTED.*404/);
    } finally {
      await client.close();
    }
  });
});
