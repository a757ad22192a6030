import { availableParallelism, cpus, loadavg, release } from 'node:os';
import type { Machine } from './results';

export function describeMachine(): Machine {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel: release(),
    loadAvg1: Math.round(loadavg()[0] * 100) / 100,
  };
}
