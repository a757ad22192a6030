import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hostedPid, startOrphaningHost } from '../../test/support/orphaning-host';
import type { OrphanResult } from './results';
import { median, round } from './stats';

/** Beyond this the process is reported as still running and killed: a host-less bridge that never exits. */
const GIVE_UP_MS = 10_000;
const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'host', version: '1' } } });


/** One run: initialize through the process, kill its host (stdin stays open), time until the process is gone. */
async function once(args: string[], scratch: string, run: number): Promise<number | undefined> {
  const fifo = join(scratch, `stdin-${run}`);
  execFileSync('mkfifo', [fifo]);
  const host = startOrphaningHost(fifo, args, 'ignore');
  const stdin = await open(fifo, 'w');
  let pid: number | undefined;
  try {
    pid = await hostedPid(host);
    let stdout = '';
    host.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // The process's stdout is this pipe: it closes when the process, its last writer, has exited.
    const gone = new Promise<void>((resolve) => host.stdout!.once('close', () => resolve()));
    await stdin.write(`${INITIALIZE}\n`);
    while (!stdout.includes('"id":1')) await new Promise((resolve) => setTimeout(resolve, 5));
    const killed = performance.now();
    host.kill('SIGKILL');
    const exited = await Promise.race([gone.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), GIVE_UP_MS).unref())]);
    return exited ? performance.now() - killed : undefined;
  } finally {
    host.kill('SIGKILL');
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await stdin.close();
  }
}

/** `runs` orphanings of the stdio process started with `args`: time from its host's death to its exit. */
export async function orphanExit(args: string[], scratchDir: string, runs: number): Promise<OrphanResult> {
  const scratch = await mkdtemp(join(scratchDir, 'orphan-'));
  try {
    const samples: number[] = [];
    let stillRunning = 0;
    for (let i = 0; i < runs; i++) {
      const ms = await once(args, scratch, i);
      if (ms !== undefined) samples.push(ms);
      else if (++stillRunning) break; // it does not exit on its own: more runs would only repeat that
    }
    return {
      runs,
      medianMs: samples.length ? round(median(samples), 1) : undefined,
      maxMs: samples.length ? round(Math.max(...samples), 1) : undefined,
      stillRunningAfterMs: stillRunning ? GIVE_UP_MS : undefined,
      stillRunning,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
