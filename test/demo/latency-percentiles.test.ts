import { LatencyStats } from '../../scripts/demo/latency';

describe('demo latency statistics', () => {
  test('reports nothing before the first call', () => {
    const stats = new LatencyStats();
    expect([stats.last, stats.percentile(50), stats.percentile(99)]).toEqual([undefined, undefined, undefined]);
  });

  test('p50 and p99 are nearest-rank percentiles over every call, whatever the arrival order', () => {
    const stats = new LatencyStats();
    const samples = Array.from({ length: 200 }, (_, i) => i + 1).reverse(); // 200 ms … 1 ms
    for (const ms of samples) stats.record(ms);
    expect(stats.last).toBe(1);
    expect(stats.percentile(50)).toBe(100);
    expect(stats.percentile(99)).toBe(198);
    expect(stats.percentile(100)).toBe(200);
  });

  test('a sample recorded after a percentile was read is included in the next one', () => {
    const stats = new LatencyStats();
    stats.record(5);
    expect(stats.percentile(99)).toBe(5);
    stats.record(50);
    expect(stats.percentile(99)).toBe(50);
  });
});
