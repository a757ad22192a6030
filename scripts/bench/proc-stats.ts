import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Memory and CPU of one process, from Linux /proc (the bridge or a peer under test). */
export interface ProcSample {
  /** Resident set size now, KiB (VmRSS). */
  rssKiB: number;
  /** Peak resident set size since start or the last resetPeak, KiB (VmHWM). */
  peakKiB: number;
  /** User + system CPU time consumed so far, ms. */
  cpuMs: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // Linux's USER_HZ on every common architecture
    }
  }
  return ticksPerSecond;
}

function statusKiB(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${field}`);
  return Number(match[1]);
}

export function sampleProcess(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')': utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssKiB: statusKiB(status, 'VmRSS'), peakKiB: statusKiB(status, 'VmHWM'), cpuMs: (ticks * 1000) / clockTicks() };
}

/** Resets VmHWM to the current RSS (clear_refs 5), so the next peak belongs to the phase that follows. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
