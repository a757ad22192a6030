import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { clientThroughBridge } from './support/bridge';
import { answerServerRequests, SERVER_REQUEST_CAPABILITIES } from './support/server-requests';
import { startServerEverything, type ServerEverything } from '../../fixtures/upstreams';

let server: ServerEverything;
let client: Client;
let rootsAsked: () => number;
const logs: unknown[] = [];

beforeAll(async () => {
  server = await startServerEverything();
  ({ client } = await clientThroughBridge(['connect', '--url', server.url], SERVER_REQUEST_CAPABILITIES, (c) => {
    ({ rootsAsked } = answerServerRequests(c));
    c.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(n.params));
  }));
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

const textOf = (result: any) => result.content.map((c: any) => c.text ?? '').join('');

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('initialize goes through and tools/list equals a direct connection declaring the same capabilities', async () => {
  expect(client.getServerVersion()?.name).toContain('everything');
  const direct = new Client({ name: 'direct', version: '1.0.0' }, { capabilities: SERVER_REQUEST_CAPABILITIES });
  await direct.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  const viaBridge = (await client.listTools()).tools.map((t) => t.name).sort();
  const straight = (await direct.listTools()).tools.map((t) => t.name).sort();
  await direct.close();
  expect(viaBridge).toEqual(straight);
  expect(viaBridge).toEqual(expect.arrayContaining(['echo', 'trigger-sampling-request', 'trigger-elicitation-request', 'get-roots-list']));
});

test('tools/call echo returns the text', async () => {
  expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hello bridge' } }))).toBe('Echo: hello bridge');
});

test('progress notifications of a long-running operation reach the client before the result', async () => {
  const progress: number[] = [];
  const result = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } }, undefined, {
    onprogress: (p) => progress.push(p.progress),
  });
  expect(textOf(result)).toMatch(/completed/i);
  // The SDK client drops a progress notification that races its result; the ones before it must all arrive, in order.
  expect(progress.slice(0, 2)).toEqual([1, 2]);
});

test('the server asks for roots on the GET stream and gets the answer', async () => {
  await waitFor(() => rootsAsked() > 0);
  expect(textOf(await client.callTool({ name: 'get-roots-list', arguments: {} }))).toContain('file:///work/project');
});

test('logging notifications arrive on the GET stream', async () => {
  await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
  const simulated = () => logs.filter((l) => /level-message|-level message/.test(JSON.stringify(l)));
  await waitFor(() => simulated().length > 0);
  expect(simulated()[0]).toEqual(expect.objectContaining({ level: expect.any(String) }));
  await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
});

test('sampling and elicitation requests from the server round-trip through the bridge', async () => {
  expect(textOf(await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } }))).toContain('sampled:');
  expect(textOf(await client.callTool({ name: 'trigger-elicitation-request', arguments: {} }))).toContain('Ada');
});

test('32 concurrent calls each get their own answer', async () => {
  const results = await Promise.all(
    Array.from({ length: 32 }, (_, i) => client.callTool({ name: 'echo', arguments: { message: `m${i}` } })),
  );
  expect(results.map(textOf)).toEqual(Array.from({ length: 32 }, (_, i) => `Echo: m${i}`));
});

test('resources and prompts are listed and read', async () => {
  const { resources } = await client.listResources();
  expect(resources.length).toBeGreaterThan(0);
  const read = await client.readResource({ uri: resources[0].uri });
  expect(read.contents[0].uri).toBe(resources[0].uri);
  const { prompts } = await client.listPrompts();
  expect(prompts.map((p) => p.name)).toContain('simple-prompt');
  const prompt = await client.getPrompt({ name: 'simple-prompt' });
  expect(prompt.messages.length).toBeGreaterThan(0);
});

test('a 3 MiB request succeeds and a 5 MiB request gets a JSON-RPC error naming HTTP 413', async () => {
  const big = 'x'.repeat(3 * 1024 * 1024);
  expect(textOf(await client.callTool({ name: 'echo', arguments: { message: big } }))).toHaveLength(big.length + 'Echo: '.length);
  await expect(client.callTool({ name: 'echo', arguments: { message: 'y'.repeat(5 * 1024 * 1024) } })).rejects.toThrow(/413/);
});
