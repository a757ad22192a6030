import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../support/cli';
import { ScriptedServer } from '../mcp/support/scripted-server';
import { hostedPid, startOrphaningHost } from '../support/orphaning-host';

/**
 * An MCP host that dies without closing the bridge's stdin. The host ("parent" below) gives the bridge a stdin it does
 * not own alone: a FIFO whose writing end this test holds, as a grandparent or a sibling that inherited the pipe
 * would. Killing the host then leaves stdin open; the bridge must notice it was orphaned, end its session with DELETE
 * and exit instead of running for ever.
 */

/** The process has ended: gone, or a zombie its new parent (init, which may be slow to reap) has not collected yet. */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

test('a bridge whose parent is killed while its stdin stays open sends DELETE and exits', async () => {
  const server = await ScriptedServer.start();
  const dir = await mkdtemp(join(tmpdir(), 'connect-orphan-'));
  const fifo = join(dir, 'stdin');
  execFileSync('mkfifo', [fifo]);
  const parent = startOrphaningHost(fifo, [BIN, 'connect', '--url', server.url, '--log-level', 'info'], 'pipe');
  const stdin = await open(fifo, 'w'); // held until the end: the bridge never sees stdin end
  try {
    const bridgePid = await hostedPid(parent);
    let stdout = '';
    let stderr = '';
    parent.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    parent.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The bridge's stdout is this pipe too: it closes once the bridge, its last writer, has exited.
    const bridgeGone = new Promise<void>((resolve) => parent.stdout!.once('close', () => resolve()));
    await stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'host', version: '1' } } }) + '\n');
    while (!stdout.includes('"id":1')) await new Promise((resolve) => setTimeout(resolve, 10));
    const sessionId = [...server.sessions][0];

    parent.kill('SIGKILL');
    await bridgeGone;
    while (!ended(bridgePid)) await new Promise((resolve) => setTimeout(resolve, 10));

    expect(stderr).toContain('the process that started mcp-bridge is gone; closing');
    expect(server.requests.filter((r) => r.httpMethod === 'DELETE').map((r) => r.sessionId)).toEqual([sessionId]);
  } finally {
    parent.kill('SIGKILL');
    await stdin.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 30_000);
