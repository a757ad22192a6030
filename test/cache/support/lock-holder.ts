/**
 * A separate process contending for a cache lock: `node --import tsx lock-holder.ts LOCK LOG ROUNDS`. Each round it
 * takes the lock, appends "in PID" and, a moment later, "out PID" to LOG, then releases it.
 */
import { appendFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireLock } from '../../../src/cache/lock';

async function main(): Promise<void> {
  const [lock, log, rounds] = process.argv.slice(2);
  for (let i = 0; i < Number(rounds); i++) {
    const release = await acquireLock(lock!, { timeoutMs: 60_000, staleMs: 60_000 });
    if (!release) throw new Error('lock not acquired within 60 s');
    await appendFile(log!, `in ${process.pid}\n`);
    await sleep(20);
    await appendFile(log!, `out ${process.pid}\n`);
    await release();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
});
