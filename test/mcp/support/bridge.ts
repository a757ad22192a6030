import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { BIN } from '../../support/cli';

/** An SDK client (what Claude Desktop runs) talking to `mcp-bridge <args>` over stdio. */
export async function clientThroughBridge(
  args: string[],
  capabilities: ClientCapabilities = {},
  setup: (client: Client) => void = () => undefined,
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, ...args], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'bridge-test', version: '1.0.0' }, { capabilities });
  setup(client); // handlers first: the server may ask (roots/list) right after initialized
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** The bridge as a raw child process: tests write bytes to stdin and read stdout lines themselves. */
export class RawBridge {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  private partial = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BIN, ...args]);
    this.child.stdout.on('data', (chunk: Buffer) => {
      const parts = (this.partial + chunk.toString()).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  send(line: string | Buffer): void {
    this.child.stdin.write(line);
  }

  private readonly parsed: any[] = [];

  /** Every stdout line parsed as JSON (throws on anything else: stdout must carry JSON-RPC only). */
  messages(): any[] {
    for (let i = this.parsed.length; i < this.lines.length; i++) this.parsed.push(JSON.parse(this.lines[i]));
    return this.parsed;
  }

  /** The most memory the bridge process has used so far (VmHWM: peak resident set), in bytes. Linux only. */
  peakRss(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (!kb) throw new Error('VmHWM missing from /proc status');
    return Number(kb[1]) * 1024;
  }

  /** Sets the peak (VmHWM) to the current resident set, so peakRss() then measures what comes after. Linux only. */
  resetPeakRss(): number {
    writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
    return this.peakRss();
  }

  /** Waits until `predicate` holds for the parsed stdout messages. */
  async until(predicate: (messages: any[]) => boolean): Promise<any[]> {
    for (;;) {
      const messages = this.messages();
      if (predicate(messages)) return messages;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
