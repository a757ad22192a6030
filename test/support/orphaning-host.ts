import { spawn, type ChildProcess } from 'node:child_process';

/**
 * An MCP host that can die without closing its server's stdin: it starts `command` on a FIFO it does not own alone
 * (whoever opened the FIFO's writing end holds it, as a grandparent or a sibling that inherited the pipe would),
 * reports the server's pid and stays until killed. Killing it leaves the server orphaned with stdin open. The
 * server's stdout is the host's (a pipe that closes once the server, its last writer, has exited); its stderr too.
 */
const HOST = `
const { openSync, closeSync } = require('node:fs');
const { spawn } = require('node:child_process');
const [fifo, ...args] = process.argv.slice(1);
const stdin = openSync(fifo, 'r');
const server = spawn(process.execPath, args, { stdio: [stdin, 'inherit', 'inherit'] });
closeSync(stdin);
process.send({ pid: server.pid });
setInterval(() => undefined, 1000);
`;

/** Starts the host for `node ...args` on `fifo`; `stderr` is where the host's (and the server's) stderr goes. */
export function startOrphaningHost(fifo: string, args: string[], stderr: 'pipe' | 'ignore'): ChildProcess {
  return spawn(process.execPath, ['-e', HOST, fifo, ...args], { stdio: ['ignore', 'pipe', stderr, 'ipc'] });
}

/** The pid of the server the host started. */
export function hostedPid(host: ChildProcess): Promise<number> {
  return new Promise((resolve) => host.once('message', (m: { pid: number }) => resolve(m.pid)));
}
