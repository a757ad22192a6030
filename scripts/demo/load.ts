import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoState } from './state';
import type { ToolCall } from './tool-calls';

/**
 * Calls the tools continuously until `signal` aborts: `concurrency` workers take turns through `calls`, paced so
 * that together they start at most `callsPerSecond` calls a second. Resolves once every call in flight has ended.
 */
/** The abort reason for Ctrl-C: the terminal signals mcp-bridge too, so calls in flight may fail on their own. */
export const STOP_INTERRUPTED = 'interrupted';

export interface LoadOptions {
  calls: ToolCall[];
  concurrency: number;
  callsPerSecond: number;
  state: DemoState;
  signal: AbortSignal;
}

export async function runLoad(options: LoadOptions): Promise<void> {
  const { calls, state, signal } = options;
  const interval = 1000 / options.callsPerSecond;
  let nextStart = performance.now();
  let turn = 0;

  /** Reserves the next start slot and waits for it; false once the demo is stopping. */
  const waitForSlot = async (): Promise<boolean> => {
    const now = performance.now();
    const slot = Math.max(now, nextStart);
    nextStart = slot + interval;
    try {
      await sleep(slot - now, undefined, { signal });
    } catch {
      return false; // aborted while waiting
    }
    return !signal.aborted;
  };

  const worker = async () => {
    while (await waitForSlot()) {
      const call = calls[turn++ % calls.length];
      const started = performance.now();
      try {
        await call.run();
        state.callSucceeded(call.label, performance.now() - started);
      } catch (err) {
        if (signal.reason === STOP_INTERRUPTED) state.callInterrupted();
        else state.callFailed(call.label, err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}
