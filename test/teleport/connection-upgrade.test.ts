import { silentLogger } from '../../src/log/logger';
import { connUpgradeOverride } from '../../src/teleport/conn-upgrade-env';
import { ConnectionUpgrade } from '../../src/teleport/connection-upgrade';
import { parseProxyAddress } from '../../src/teleport/proxy-address';
import { startHarness, type Harness } from './harness';

/** Detection and the WebSocket connection upgrade against the test cluster, in process. */

describe('TELEPORT_TLS_ROUTING_CONN_UPGRADE parsed as tsh parses it', () => {
  // The examples of tsh's own documentation and tests (api/client/alpn_conn_upgrade.go), then its edge cases.
  const addr = 'example.teleport.com:443';
  test.each([
    ['yes', true],
    ['0;example.teleport.com:443=1', true],
    ['false', false],
    ['another.teleport.com:443=true', false],
    ['another.teleport.com:443=true,example.teleport.com:443=false', false],
    ['true', true],
    ['example.teleport.com:443=yes,another.teleport.com:443=no', true],
    ['0,example.teleport.com:443=1', true],
    // the boolean words, case-insensitive; Go's strconv spellings t/f are not among them
    ['Y', true],
    ['yeah', true],
    ['ON', true],
    ['nope', false],
    ['t', false],
    // a bare token sets the default whatever its place, the last one winning
    ['another.teleport.com:443=no;yes', true],
    ['yes;no', false],
    // the first token naming the address decides; an unparsable value there means false
    ['example.teleport.com:443=maybe,example.teleport.com:443=yes', false],
    ['example.teleport.com:443=, true', false],
    // `host:port=` matches anywhere inside a token, like tsh's strings.Cut
    ['prefix.example.teleport.com:443=yes', true],
    // tokens are not trimmed, so a space makes the word unknown: the default stays false
    [' true', false],
    ['garbage', false],
  ])('%j → %s, and no probe', (value, expected) => {
    expect(connUpgradeOverride(addr, value)).toBe(expected);
  });

  test('empty or unset leaves the decision to the probe', () => {
    expect(connUpgradeOverride(addr, '')).toBeUndefined();
    expect(connUpgradeOverride(addr, undefined)).toBeUndefined();
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

  test('a TELEPORT_TLS_ROUTING_CONN_UPGRADE that names only other proxies means no upgrade, decided without a probe', async () => {
    process.env.TELEPORT_TLS_ROUTING_CONN_UPGRADE = 'other.example.com:443=yes';
    const proxy = parseProxyAddress(harness.cluster.proxyAddr);
    const before = harness.cluster.control.counters().connections;
    expect(await new ConnectionUpgrade(proxy, trust(), silentLogger).required()).toBe(false);
    expect(harness.cluster.control.counters().connections).toBe(before);
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
