import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { clientThroughBridge } from '../mcp/support/bridge';
import { answerServerRequests, SERVER_REQUEST_CAPABILITIES } from '../mcp/support/server-requests';
import { APPS, ROLES, startMcpCluster, type McpCluster } from '../support/mcp-cluster';

/** On a cluster without the App Service limits (a future Teleport), server→client requests round-trip. */

let world: McpCluster;
let client: Client;
let rootsAsked: () => number;

const textOf = (result: any): string => result.content.map((c: any) => c.text ?? '').join('');

beforeAll(async () => {
  world = await startMcpCluster({ appServiceLimits: false });
  const identity = (await world.bots.start({ name: 'agent', roles: [ROLES.all], allowReissue: true })).outDir;
  ({ client } = await clientThroughBridge(world.connectArgs(APPS.everything, identity, ['--keep-client-capabilities']), SERVER_REQUEST_CAPABILITIES, (c) => {
    ({ rootsAsked } = answerServerRequests(c));
  }));
});

afterAll(async () => {
  await client?.close();
  await world?.close();
});

test('sampling round-trips through the cluster', async () => {
  expect(textOf(await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } }))).toContain('sampled:');
});

test('elicitation round-trips through the cluster', async () => {
  expect(textOf(await client.callTool({ name: 'trigger-elicitation-request', arguments: {} }))).toContain('Ada');
});

test('roots/list round-trips through the cluster', async () => {
  expect(textOf(await client.callTool({ name: 'get-roots-list', arguments: {} }))).toContain('file:///work/project');
  expect(rootsAsked()).toBeGreaterThan(0);
});
