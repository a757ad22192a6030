import type { ServerResponse } from 'node:http';
import { RawBridge } from './support/bridge';
import { ScriptedServer, json, result } from './support/scripted-server';

const line = (message: unknown) => JSON.stringify(message) + '\n';
const answer = (messages: any[], id: unknown) => messages.find((m) => m.id === id && m.method === undefined);


type Trigger = 'stdin end' | 'SIGTERM' | 'SIGINT';

/**
 * Starts a bridge with two calls in flight — one the server answers only once shutdown has begun, one it never
 * answers — then stops it the way a client does, and reports what came out.
 */
async function stopWithCallsInFlight(trigger: Trigger, deleteHangs: boolean) {
  const server = await ScriptedServer.start();
  const held = new Map<string, { id: unknown; res: ServerResponse }>();
  server.handle('tools/call', (m, res) => void held.set(m.params.name, { id: m.id, res }));
  if (deleteHangs) server.onDelete = () => undefined;
  const bridge = new RawBridge(['connect', '--url', server.url]);
  try {
    bridge.send(line({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
    await bridge.until((all) => answer(all, 0) !== undefined);
    bridge.send(line({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    bridge.send(line({ jsonrpc: '2.0', id: 'finishes', method: 'tools/call', params: { name: 'slow', arguments: {} } }));
    bridge.send(line({ jsonrpc: '2.0', id: 'never', method: 'tools/call', params: { name: 'hang', arguments: {} } }));
    await server.until(() => held.size === 2);
    if (trigger === 'stdin end') bridge.child.stdin.end();
    else bridge.child.kill(trigger);
    const slow = held.get('slow')!;
    setImmediate(() => json(slow.res, result(slow.id, { content: [{ type: 'text', text: 'finished in the grace period' }] })));
    const code = await bridge.exited;
    return { code, messages: bridge.messages(), deletes: server.requests.filter((r) => r.httpMethod === 'DELETE'), sessionId: [...server.sessions][0] };
  } finally {
    bridge.child.kill('SIGKILL'); // no-op once exited; never leave a child behind a failed assertion
    await server.close();
  }
}

test.concurrent.each<[Trigger, boolean]>([
  ['stdin end', false],
  ['SIGTERM', false],
  ['SIGINT', true],
])('on %s the bridge answers calls in flight (SHUTTING_DOWN after the grace period), sends DELETE (DELETE hangs: %s) and exits 0', async (trigger, deleteHangs) => {
  const { code, messages, deletes, sessionId } = await stopWithCallsInFlight(trigger, deleteHangs);
  expect(code).toBe(0);
  expect(answer(messages, 'finishes').result.content[0].text).toBe('finished in the grace period');
  const never = answer(messages, 'never');
  expect(never.error.data.tag).toBe('MCP_BRIDGE_SHUTTING_DOWN');
  expect(never.error.message).toContain('"never" was still pending');
  expect(deletes.map((d) => d.sessionId)).toEqual([sessionId]);
  expect(messages.every((m) => m.jsonrpc === '2.0')).toBe(true);
});
