import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ENTRY = join(__dirname, '../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/** A free loopback port (server-everything takes its port from PORT and cannot listen on 0 itself). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real server-everything over Streamable HTTP, restartable on the same port (its sessions die with it). */
export class ServerEverything {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<ServerEverything> {
    const server = new ServerEverything(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  async restart(): Promise<void> {
    const child = spawn(process.execPath, [ENTRY, 'streamableHttp'], { env: { ...process.env, PORT: String(this.port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('listening on port')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${seen}`)));
    });
  }

  /** Kills the process (SIGKILL: connections die without a goodbye) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
