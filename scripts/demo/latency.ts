/**
 * Call latencies for the live view and the summary. Every sample is kept (8 bytes each: a day at ten calls a
 * second is a few MB) so p50/p99 are exact; the sorted copy is rebuilt only when asked for after new samples.
 */
export class LatencyStats {
  private readonly samples: number[] = [];
  private sorted: number[] = [];
  private lastMs: number | undefined;

  record(ms: number): void {
    this.samples.push(ms);
    this.lastMs = ms;
  }

  get count(): number {
    return this.samples.length;
  }

  get last(): number | undefined {
    return this.lastMs;
  }

  /** The nearest-rank percentile (0 < p ≤ 100) in ms, or undefined before the first sample. */
  percentile(p: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    if (this.sorted.length !== this.samples.length) this.sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * this.sorted.length);
    return this.sorted[Math.min(this.sorted.length, Math.max(1, rank)) - 1];
  }
}
