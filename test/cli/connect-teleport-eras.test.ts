import { startTestCluster, type AppSpec, type TestCluster } from '../../fixtures/cluster';
import { clusterBots, type ClusterBots } from '../../fixtures/cluster/bots';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startSdkV2Server, type SdkV2Server } from '../../fixtures/upstreams/sdk-v2/server';
import { SDK_V2_NAMES } from '../../fixtures/upstreams/sdk-v2/tools';
import { EVERY_WORKING_COMBINATION } from '../eras/matrix';
import { BIN } from '../support/cli';
import { CLIENT_KINDS, type ClientKind } from '../support/scenario/clients';
import { SDK_V2_PROFILE } from '../support/scenario/profiles';
import { describeOutcome, runScenario, stepsWith } from '../support/scenario/run-scenario';

/**
 * 2026-07-28 MCP apps through today's Teleport App Service (the test cluster with its v18 limits: server→client
 * requests end a stream, tools/list re-serialised without ttlMs/cacheScope, SSE re-emitted without comments). The
 * App Service passes 2026-07-28 traffic (any method, the Mcp-* headers, MRTR results, subscriptions/listen streams),
 * so the bridge speaks it upstream: every client passes the whole scenario — elicitation included, as MRTR, which
 * through Teleport no 2025 server→client request could do.
 */

jest.setTimeout(180_000);

let modernOnly: SdkV2Server;
let dual: SdkV2Server;
let cluster: TestCluster;
let bots: ClusterBots;
let identityDir: string;

const app = (name: string, url: string): AppSpec => ({ name, uri: `mcp+${url}`, publicAddr: `${name}.mcp-bridge.test`, labels: { env: 'test' } });

beforeAll(async () => {
  [modernOnly, dual] = await Promise.all([startSdkV2Server({ legacy: 'reject' }), startSdkV2Server({ legacy: 'stateless' })]);
  cluster = await startTestCluster({
    roles: [{ name: 'mcp-all', appLabels: { '*': '*' }, mcpTools: { allow: ['*'] } }],
    apps: [app('modern-only', modernOnly.url), app('dual', dual.url)],
  });
  bots = await clusterBots(cluster);
  identityDir = (await bots.start({ name: 'agent', roles: ['mcp-all'], allowReissue: true })).outDir;
});

afterAll(async () => {
  await bots?.close();
  await cluster?.close();
  await Promise.all([modernOnly?.stop(), dual?.stop()]);
});

const eraOf = (client: ClientKind) => EVERY_WORKING_COMBINATION.find((c) => c.client === client && c.upstream === 'modern-only');

test.each(CLIENT_KINDS.flatMap((client) => ['modern-only', 'dual'].map((upstream) => [client, upstream] as const)))(
  '%s × %s through Teleport: every step passes, on the era both ends can speak',
  async (client, appName) => {
    const args = [BIN, 'connect', appName, '-i', identityDir, '--proxy', cluster.proxyAddr, '--ca', cluster.publicCaFile];
    const outcome = await runScenario(client, { kind: 'stdio', command: process.execPath, args }, SDK_V2_PROFILE);
    const expected = eraOf(client)!;
    const summary = `${describeOutcome(outcome)}\nstderr: ${outcome.stderr.slice(-2000)}`;
    expect({ summary, failed: stepsWith(outcome, 'failed'), skipped: stepsWith(outcome, 'skipped') }).toEqual({ summary, failed: [], skipped: expected.skipped ?? [] });
    if (expected.era) expect(outcome.era).toBe(expected.era);
  },
);

test('2026-07-28 requests reach the MCP server through Teleport with their headers (x-mcp-header and base64 names included) and no session', async () => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'connect', 'modern-only', '-i', identityDir, '--proxy', cluster.proxyAddr, '--ca', cluster.publicCaFile] });
  const client = new Client({ name: 'headers', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(transport);
  try {
    await client.listTools();
    const region = await client.callTool({ name: SDK_V2_NAMES.region, arguments: { region: 'eu-wäst', query: 'q' } });
    expect(JSON.stringify(region.content)).toContain(`Mcp-Param-Region: =?base64?${Buffer.from('eu-wäst').toString('base64')}?=`);
    const greeting = await client.callTool({ name: SDK_V2_NAMES.nonAscii, arguments: { name: 'Grace Hopper' } });
    expect(JSON.stringify(greeting.content)).toContain('Grüße, Grace Hopper!');
  } finally {
    await client.close();
  }
  const posts = modernOnly.exchanges.filter((e) => e.method === 'POST');
  expect(posts.every((p) => p.headers['mcp-protocol-version'] === '2026-07-28' && p.headers['mcp-session-id'] === undefined && p.status < 400)).toBe(true);
  expect(posts.find((p) => p.headers['mcp-method'] === 'tools/call' && p.body.includes('Grace Hopper'))?.headers['mcp-name']).toBe(`=?base64?${Buffer.from('grüße').toString('base64')}?=`);
});
