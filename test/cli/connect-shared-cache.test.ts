import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { clientThroughBridge } from '../mcp/support/bridge';
import { APPS, ROLES, startMcpCluster, type McpCluster } from '../support/mcp-cluster';

/** Real `mcp-bridge connect` processes of one user sharing the certificate cache, as MCP hosts start them. */

let world: McpCluster;
let root: string;

beforeAll(async () => {
  world = await startMcpCluster();
  root = await mkdtemp(join(tmpdir(), 'connect-shared-cache-'));
});

afterAll(async () => {
  await world?.close();
  await rm(root, { recursive: true, force: true });
});

const issuedFor = (user: string) => world.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0 && r.caller === user).length;

async function echoThroughEach(clients: Client[]): Promise<string[]> {
  const results = await Promise.all(clients.map((c, i) => c.callTool({ name: 'echo', arguments: { text: `p${i}` } })));
  return results.map((r: any) => r.content[0].text);
}

test('8 bridge processes starting at once make one GenerateUserCerts between them, and each serves its client', async () => {
  const identityDir = (await world.bots.start({ name: 'eight', roles: [ROLES.all], allowReissue: true })).outDir;
  const cacheDir = join(root, 'eight', 'mcp-bridge');
  const bridges = await Promise.all(Array.from({ length: 8 }, () => clientThroughBridge(world.connectArgs(APPS.demo, identityDir, ['--cache-dir', cacheDir]))));
  try {
    expect(await echoThroughEach(bridges.map((b) => b.client))).toEqual(Array.from({ length: 8 }, (_, i) => `p${i}`));
    expect(issuedFor('bot-eight')).toBe(1);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    for (const file of await readdir(cacheDir)) expect((await stat(join(cacheDir, file))).mode & 0o777).toBe(0o600);
  } finally {
    await Promise.all(bridges.map((b) => b.client.close()));
  }
}, 60_000);

test('--no-cache: every process issues its own certificate and writes nothing', async () => {
  const identityDir = (await world.bots.start({ name: 'uncached', roles: [ROLES.all], allowReissue: true })).outDir;
  const cacheDir = join(root, 'uncached', 'mcp-bridge');
  const bridges = await Promise.all(Array.from({ length: 2 }, () => clientThroughBridge(world.connectArgs(APPS.demo, identityDir, ['--cache-dir', cacheDir, '--no-cache']))));
  try {
    expect(await echoThroughEach(bridges.map((b) => b.client))).toEqual(['p0', 'p1']);
    expect(issuedFor('bot-uncached')).toBe(2);
    await expect(stat(cacheDir)).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    await Promise.all(bridges.map((b) => b.client.close()));
  }
}, 60_000);
