import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { clientThroughBridge } from '../mcp/support/bridge';
import { STREAM_APPS, STREAM_ROLES, startStreamCluster, type StreamCluster } from '../support/stream-cluster';

/** `connect` to every kind of stream app (stdio, SSE, the demo server) through the test cluster, with the SDK client. */

let world: StreamCluster;
let all: string;
let some: string;
const clients: Client[] = [];

const textOf = (result: any): string => result.content.map((c: any) => c.text ?? '').join('');

async function client(app: string, identityDir = all): Promise<Client> {
  const { client } = await clientThroughBridge(world.connectArgs(app, identityDir));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  world = await startStreamCluster();
  [all, some] = await Promise.all([
    world.bots.start({ name: 'agent', roles: [STREAM_ROLES.all], allowReissue: true }).then((b) => b.outDir),
    world.bots.start({ name: 'limited', roles: [STREAM_ROLES.some], allowReissue: true }).then((b) => b.outDir),
  ]);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await world?.close();
});

describe.each([
  ['stdio', STREAM_APPS.stdio],
  ['SSE', STREAM_APPS.sse],
])('server-everything as a %s app', (_kind, app) => {
  test('initialize, tools/list and tools/call echo work through the bridge', async () => {
    const c = await client(app);
    expect(c.getServerVersion()?.name).toContain('everything');
    const tools = (await c.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    expect(textOf(await c.callTool({ name: 'echo', arguments: { message: `via ${app}` } }))).toBe(`Echo: via ${app}`);
  });

  test('RBAC: tools/list is filtered and a denied call is refused with the Teleport message', async () => {
    const c = await client(app, some);
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    await expect(c.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toThrow(/RBAC is enforced by your Teleport roles/);
    expect(textOf(await c.callTool({ name: 'echo', arguments: { message: 'allowed' } }))).toBe('Echo: allowed');
  });
});

describe('the demo server teleport-mcp-demo', () => {
  test('answers as teleport-demo and tells the bot who it is', async () => {
    const c = await client(STREAM_APPS.demo);
    expect(c.getServerVersion()).toMatchObject({ name: 'teleport-demo' });
    expect((await c.listTools()).tools.map((t) => t.name)).toContain('teleport_user_info');
    expect(JSON.parse(textOf(await c.callTool({ name: 'teleport_user_info', arguments: {} })))).toMatchObject({ name: 'bot-agent', user_kind: 'USER_KIND_BOT' });
  });

  test('RBAC applies to it too', async () => {
    const c = await client(STREAM_APPS.demo, some);
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['teleport_user_info']);
    await expect(c.callTool({ name: 'teleport_session_info', arguments: {} })).rejects.toThrow(/RBAC is enforced/);
  });
});
