import { RawBridge } from './support/bridge';
import { RecordingProxy } from './support/recording-proxy';
import { startServerEverything, type ServerEverything } from '../../fixtures/upstreams';

const line = (message: unknown) => JSON.stringify(message) + '\n';
const answerTo = (id: unknown) => (messages: any[]) => messages.some((m) => m.id === id && !m.method);
const find = (messages: any[], id: unknown) => messages.find((m) => m.id === id && !m.method);

let server: ServerEverything;
let proxy: RecordingProxy;

beforeAll(async () => {
  server = await startServerEverything();
  proxy = await RecordingProxy.start(server.url);
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

async function initialized(bridge: RawBridge): Promise<void> {
  bridge.send(line({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
  await bridge.until(answerTo(0));
  bridge.send(line({ jsonrpc: '2.0', method: 'notifications/initialized' }));
}

test('a call cut off by the server dying gets MAY_HAVE_RUN; after a restart the session is re-established and calls work', async () => {
  const bridge = new RawBridge(['connect', '--url', proxy.url()]);
  await initialized(bridge);
  const firstSession = (await proxy.waitFor('GET')).sessionId;
  bridge.send(line({ jsonrpc: '2.0', id: 'long', method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 }, _meta: { progressToken: 'p' } } }));
  await bridge.until((all) => all.some((m) => m.method === 'notifications/progress'));
  await server.kill();
  const messages = await bridge.until(answerTo('long'));
  expect(find(messages, 'long').error.data.tag).toBe('MCP_BRIDGE_MAY_HAVE_RUN');

  await server.restart();
  bridge.send(line({ jsonrpc: '2.0', id: 'after', method: 'tools/call', params: { name: 'echo', arguments: { message: 'back' } } }));
  const later = await bridge.until(answerTo('after'));
  expect(find(later, 'after').result.content[0].text).toBe('Echo: back');
  const initializes = proxy.requests.filter((r) => r.method === 'POST' && r.sessionId === undefined && r.mcpMethod === undefined);
  expect(initializes).toHaveLength(2); // the client's initialize and the bridge's replay
  expect(proxy.requests.at(-1)?.sessionId).not.toBe(firstSession);
  expect(await bridge.end()).toBe(0);
});

test('stdin end sends DELETE with the session id and the bridge exits 0', async () => {
  proxy.requests.length = 0;
  const bridge = new RawBridge(['connect', '--url', proxy.url()]);
  await initialized(bridge);
  const sessionId = (await proxy.waitFor('GET')).sessionId;
  expect(await bridge.end()).toBe(0);
  expect(proxy.requests.filter((r) => r.method === 'DELETE').map((r) => r.sessionId)).toEqual([sessionId]);
});

test('with --no-auto-reconnect a lost session is reported as SESSION_LOST instead of being replaced', async () => {
  const bridge = new RawBridge(['connect', '--url', proxy.url(), '--no-auto-reconnect']);
  await initialized(bridge);
  await proxy.waitFor('GET');
  await server.kill();
  await server.restart();
  bridge.send(line({ jsonrpc: '2.0', id: 'lost', method: 'ping' }));
  const messages = await bridge.until(answerTo('lost'));
  expect(find(messages, 'lost').error.data.tag).toBe('MCP_BRIDGE_SESSION_LOST');
  expect(await bridge.end()).toBe(0);
});
