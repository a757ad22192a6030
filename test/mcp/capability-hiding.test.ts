import { PassThrough } from 'node:stream';
import { silentLogger } from '../../src/log/logger';
import { runRelay } from '../../src/mcp/relay';
import { createDirectUpstream } from '../../src/upstream/direct';
import type { Upstream } from '../../src/upstream/types';
import { startServerEverything, type ServerEverything } from '../../fixtures/upstreams';

let server: ServerEverything;
beforeAll(async () => (server = await startServerEverything()));
afterAll(async () => server?.stop());

/** Runs the relay in-process over an upstream that, like Teleport's App Service, cannot carry server→client requests. */
async function toolsSeenThrough(keepClientCapabilities: boolean): Promise<string[]> {
  const direct = createDirectUpstream({ url: new URL(server.url), headers: {}, extraCAs: [], insecure: false, logger: silentLogger });
  const upstream: Upstream = Object.assign(Object.create(direct) as Upstream, { carriesServerRequests: false });
  const input = new PassThrough();
  const output = new PassThrough();
  const answers: any[] = [];
  let buffered = '';
  const waiters: Array<() => void> = [];
  output.on('data', (chunk: Buffer) => {
    const parts = (buffered + chunk.toString()).split('\n');
    buffered = parts.pop()!;
    answers.push(...parts.map((l) => JSON.parse(l)));
    waiters.splice(0).forEach((w) => w());
  });
  const answerTo = async (id: number) => {
    while (!answers.some((a) => a.id === id)) await new Promise<void>((r) => waiters.push(r));
    return answers.find((a) => a.id === id);
  };
  const done = runRelay({ upstream, input, output, logger: silentLogger, keepClientCapabilities });
  const capabilities = { sampling: {}, elicitation: {}, roots: {} };
  input.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities, clientInfo: { name: 'c', version: '1' } } }) + '\n');
  await answerTo(1);
  // server-everything registers capability-gated tools when initialized arrives: give that POST a head start.
  input.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  input.write(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }) + '\n');
  await answerTo(3);
  input.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) + '\n');
  const list = await answerTo(2);
  input.end();
  await done;
  return list.result.tools.map((t: { name: string }) => t.name);
}

test('through an upstream that cannot carry server requests, sampling/elicitation/roots are hidden from the server', async () => {
  const tools = await toolsSeenThrough(false);
  expect(tools).toContain('echo');
  expect(tools).not.toContain('trigger-sampling-request');
  expect(tools).not.toContain('trigger-elicitation-request');
  expect(tools).not.toContain('get-roots-list');
});

test('--keep-client-capabilities forwards them anyway', async () => {
  expect(await toolsSeenThrough(true)).toEqual(expect.arrayContaining(['trigger-sampling-request', 'get-roots-list']));
});
