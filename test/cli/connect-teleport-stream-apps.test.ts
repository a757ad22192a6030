import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { langgraphJsSnippet } from '../../src/client-config/langgraph-snippet';
import { clientThroughBridge } from '../mcp/support/bridge';
import { BIN, REPO } from '../support/cli';
import { STREAM_APPS, STREAM_ROLES, startStreamCluster, type StreamCluster } from '../support/stream-cluster';

/**
 * `connect` to every kind of stream app (stdio, SSE, the demo server) through the test cluster, with the SDK client
 * and with LangGraph's @langchain/mcp-adapters (the JS snippet `mcp-bridge config` prints, run as printed).
 */

const run = promisify(execFile);

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

describe('LangGraph (@langchain/mcp-adapters) through each kind of stream app', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-bridge-stream-langgraph-'));
    await fs.symlink(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  test.each([
    [STREAM_APPS.stdio, 'echo', { message: 'from langgraph' }, 'Echo: from langgraph'],
    [STREAM_APPS.sse, 'echo', { message: 'from langgraph' }, 'Echo: from langgraph'],
    [STREAM_APPS.demo, 'teleport_user_info', {}, '"name":"bot-agent"'],
  ])('%s: lists the tools and calls %s', async (app, tool, args, expected) => {
    const file = path.join(dir, `${app}.mjs`);
    await fs.writeFile(file, langgraphJsSnippet(`teleport-mcp-${app}`, { command: process.execPath, args: [BIN, ...world.connectArgs(app, all)], env: {} }));
    const { stdout } = await run(process.execPath, [file, tool, JSON.stringify(args)], { cwd: dir, timeout: 45_000 });
    expect(stdout).toMatch(new RegExp(`^tools: .*\\b${tool}\\b`, 'm'));
    expect(stdout).toContain(`${tool}:`);
    expect(stdout).toContain(expected);
  });
});
