import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawBridge } from '../mcp/support/bridge';
import { ScriptedServer } from '../mcp/support/scripted-server';

const initialize = { jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'old', version: '1' } } };
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
const discover = { jsonrpc: '2.0', id: 'probe', method: 'server/discover', params: { _meta: META } };

let server: ScriptedServer;
let cacheDir: string;

beforeEach(async () => {
  server = await ScriptedServer.start();
  cacheDir = await mkdtemp(join(tmpdir(), 'bridge-era-cache-'));
});

afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

/** One bridge process: sends `message`, returns the answer to it, then closes stdin and waits for the exit. */
async function answerFromNewBridge(message: { id: string }, ...extra: string[]): Promise<any> {
  const bridge = new RawBridge(['connect', '--url', server.url, '--cache-dir', cacheDir, ...extra]);
  bridge.send(JSON.stringify(message) + '\n');
  const messages = await bridge.until((all) => all.some((m) => m.id === message.id));
  await bridge.end();
  return messages.find((m) => m.id === message.id);
}

test("the first bridge process probes a 2025 server's era once and keeps the verdict in the user's cache; the next answers a 2026-07-28 client's server/discover from it without a request", async () => {
  expect((await answerFromNewBridge(initialize)).result.serverInfo.name).toBe('scripted');
  expect(server.posted('server/discover')).toHaveLength(1);
  const [entry] = (await readdir(cacheDir)).filter((f) => f.startsWith('era-'));
  expect((await stat(join(cacheDir, entry))).mode & 0o777).toBe(0o600);

  const before = server.requests.length;
  const answer = await answerFromNewBridge(discover);
  expect(answer.error).toMatchObject({ code: -32601, data: { tag: 'MCP_BRIDGE_LEGACY_SERVER' } });
  expect(server.requests.length).toBe(before);
});

test('with --no-cache every process finds the era for itself and writes nothing', async () => {
  await answerFromNewBridge(initialize, '--no-cache');
  await answerFromNewBridge(initialize, '--no-cache');
  expect(server.posted('server/discover')).toHaveLength(2);
  expect(await readdir(cacheDir)).toEqual([]);
});
