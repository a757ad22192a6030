import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawBridge } from './support/bridge';
import { ScriptedServer, SseResponse, result } from './support/scripted-server';

const ROOT = join(__dirname, '../..');
const MiB = 1024 * 1024;
const NOTIFICATIONS = 512;
const PAD = 'x'.repeat(128 * 1024); // 512 × 128 KiB = 64 MiB streamed in one answer
const line = (message: unknown) => JSON.stringify(message) + '\n';
const isAnswer = (id: unknown) => (m: any) => m.id === id && m.method === undefined;

let server: ScriptedServer;
let bridge: RawBridge;
let sent = 0;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
  server = await ScriptedServer.start();
  server.handle('tools/call', async (m, res) => {
    const sse = new SseResponse(res);
    for (let seq = 0; seq < NOTIFICATIONS; seq++) {
      await sse.send({ data: { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: { seq, pad: PAD } } } });
      sent = seq + 1;
    }
    await sse.send({ data: result(m.id, { content: [{ type: 'text', text: 'flood done' }] }) });
    sse.end();
  });
  bridge = new RawBridge(['connect', '--url', server.url]);
  bridge.send(line({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
  await bridge.until((all) => all.some(isAnswer(0)));
  bridge.send(line({ jsonrpc: '2.0', method: 'notifications/initialized' }));
});

afterAll(async () => {
  await bridge?.end();
  await server?.close();
});

/** Waits until `progress` stops moving (the server is blocked on a full connection), and returns where it stopped. */
async function whenStalled(progress: () => number): Promise<number> {
  let last = -1;
  for (let unchanged = 0; unchanged < 5; ) {
    await sleep(100);
    const now = progress();
    unchanged = now === last ? unchanged + 1 : 0;
    last = now;
  }
  return last;
}

test('a client that stops reading stdout stops the upstream stream with bounded bridge memory; everything then arrives in order', async () => {
  const baseline = bridge.peakRss();
  bridge.child.stdout.pause();
  bridge.send(line({ jsonrpc: '2.0', id: 'flood', method: 'tools/call', params: { name: 'flood', arguments: {} } }));
  const stalledAt = await whenStalled(() => sent);
  process.stderr.write(`stalled at ${stalledAt}, rss growth ${(bridge.peakRss() - baseline) / MiB} MiB\n`);
  expect(stalledAt).toBeLessThan(NOTIFICATIONS / 4); // the bridge did not read ahead: at most a few socket buffers
  expect(bridge.peakRss() - baseline).toBeLessThan(32 * MiB);

  bridge.child.stdout.resume();
  const messages = await bridge.until((all) => all.some(isAnswer('flood')));
  const seqs = messages.filter((m) => m.method === 'notifications/message').map((m) => m.params.data.seq);
  expect(seqs).toEqual(Array.from({ length: NOTIFICATIONS }, (_, i) => i));
  expect(messages.at(-1)).toEqual(expect.objectContaining({ id: 'flood', result: { content: [{ type: 'text', text: 'flood done' }] } }));
});
