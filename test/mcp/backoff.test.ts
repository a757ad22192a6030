import { Backoff } from '../../src/mcp/backoff';

test('delays double from the first up to the cap, stay there, and start over after a reset', () => {
  const backoff = new Backoff(250, 10_000);
  const delays = Array.from({ length: 8 }, () => backoff.next());
  expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  backoff.reset();
  expect(backoff.next()).toBe(250);
});
