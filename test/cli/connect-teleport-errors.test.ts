import { findFreePort } from '../../fixtures/upstreams';
import { RawBridge } from '../mcp/support/bridge';
import { APPS, ROLES, startMcpCluster, type McpCluster } from '../support/mcp-cluster';

/**
 * Every start-up failure a real condition of the test cluster produces reaches the MCP client as a tagged JSON-RPC
 * error on its request (the bridge stays up and keeps trying), and stdout carries nothing but JSON-RPC.
 */

let world: McpCluster;
let goodIdentity: string;

const initialize = (id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) + '\n';

/** Sends initialize with `id` and resolves with its answer; messages() throws if any stdout line is not JSON. */
async function answerTo(bridge: RawBridge, id: number): Promise<any> {
  bridge.send(initialize(id));
  const messages = await bridge.until((all) => all.some((m) => m.id === id));
  return messages.find((m) => m.id === id);
}

/** Starts `connect` with `args`, asks once, and returns the tag of the error answer (the bridge must exit 0 on stdin end). */
async function tagFor(args: string[]): Promise<string> {
  const bridge = new RawBridge(args);
  const answer = await answerTo(bridge, 1);
  expect(await bridge.end()).toBe(0);
  expect(bridge.messages()).toHaveLength(1);
  expect(answer.error).toBeDefined();
  expect(answer.error.message).toContain(answer.error.data.tag); // the tag is in the message the user sees too
  return answer.error.data.tag;
}

beforeAll(async () => {
  world = await startMcpCluster();
  goodIdentity = (await world.bots.start({ name: 'agent', roles: [ROLES.all], allowReissue: true })).outDir;
});

afterAll(() => world?.close());

test('IDENTITY_UNREADABLE while tbot has not written yet, then the next request succeeds once it has, without a restart', async () => {
  const tbot = world.bots.create({ name: 'late', roles: [ROLES.all], allowReissue: true });
  const bridge = new RawBridge(world.connectArgs(APPS.demo, tbot.outDir));
  expect((await answerTo(bridge, 1)).error.data.tag).toBe('MCP_BRIDGE_IDENTITY_UNREADABLE');
  expect((await answerTo(bridge, 2)).error.data.tag).toBe('MCP_BRIDGE_IDENTITY_UNREADABLE');
  await tbot.start();
  const answer = await answerTo(bridge, 3);
  expect(answer.result.serverInfo.name).toBe('mcp-bridge-demo');
  expect(await bridge.end()).toBe(0);
  // Logged once on stderr, not once per request.
  expect(bridge.stderr.match(/MCP_BRIDGE_IDENTITY_UNREADABLE/g)).toHaveLength(1);
});

test('IDENTITY_EXPIRED for an identity tbot stopped renewing', async () => {
  const expired = await world.bots.start({ name: 'stale', roles: [ROLES.all], allowReissue: true, ttlMs: 1 });
  expect(await tagFor(world.connectArgs(APPS.demo, expired.outDir))).toBe('MCP_BRIDGE_IDENTITY_EXPIRED');
});

test('REISSUE_DENIED for an identity output without allow_reissue', async () => {
  const noReissue = await world.bots.start({ name: 'strict', roles: [ROLES.all] });
  expect(await tagFor(world.connectArgs(APPS.demo, noReissue.outDir))).toBe('MCP_BRIDGE_REISSUE_DENIED');
});

test('MFA_REQUIRED when a role requires per-session MFA', async () => {
  const mfa = await world.bots.start({ name: 'mfa', roles: [ROLES.mfa], allowReissue: true });
  expect(await tagFor(world.connectArgs(APPS.demo, mfa.outDir))).toBe('MCP_BRIDGE_MFA_REQUIRED');
});

test.each([
  ['APP_NOT_FOUND', 'no-such-app'],
  ['APP_NOT_MCP', APPS.web],
])('%s for app %s', async (tag, app) => {
  expect(await tagFor(world.connectArgs(app, goodIdentity))).toBe(`MCP_BRIDGE_${tag}`);
});

test('STREAM_REFUSED for a stdio app the App Service cannot start, once resending for 20 s has not helped', async () => {
  // Its app has no command: the App Service closes each connection without a byte, as for an unknown app session.
  expect(await tagFor(world.connectArgs(APPS.stdio, goodIdentity))).toBe('MCP_BRIDGE_STREAM_REFUSED');
}, 60_000);

test('UPSTREAM_UNREACHABLE for an app whose server refuses connections, once resending for 20 s has not reached it', async () => {
  expect(await tagFor(world.connectArgs(APPS.down, goodIdentity))).toBe('MCP_BRIDGE_UPSTREAM_UNREACHABLE');
}, 60_000);

test('PROXY_UNREACHABLE when nothing listens on --proxy', async () => {
  const args = world.connectArgs(APPS.demo, goodIdentity);
  args[args.indexOf('--proxy') + 1] = `127.0.0.1:${await findFreePort()}`;
  expect(await tagFor(args)).toBe('MCP_BRIDGE_PROXY_UNREACHABLE');
});

test("TLS_VERIFY_FAILED without --ca for the proxy's private web certificate", async () => {
  const args = world.connectArgs(APPS.demo, goodIdentity);
  args.splice(args.indexOf('--ca'), 2);
  expect(await tagFor(args)).toBe('MCP_BRIDGE_TLS_VERIFY_FAILED');
});

test('a usage error (no --proxy) exits 2 at once with the reason on stderr and nothing on stdout', async () => {
  const args = world.connectArgs(APPS.demo, goodIdentity);
  args.splice(args.indexOf('--proxy'), 2);
  const bridge = new RawBridge(args);
  expect(await bridge.exited).toBe(2);
  expect(bridge.stderr).toContain('--proxy');
  expect(bridge.lines.join('')).toBe('');
});
