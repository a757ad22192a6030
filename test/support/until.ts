import { setTimeout as sleep } from 'node:timers/promises';

/** Waits for a condition that timers or I/O elsewhere make true, polling every 10 ms; the jest timeout bounds it. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}
