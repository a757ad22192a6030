import { describeSseLineLimit, sseLineLimitFor, type SseLineLimit } from '../../src/teleport/sse-line-limits';

/** What doctor says of the App Service's SSE line limit for a cluster version. */

const table: SseLineLimit[] = [
  { from: '18.3.0', until: '18.6.0', bytes: 64 * 1024 },
  { from: '18.6.0', bytes: 1024 * 1024 },
];

test('a version in a known range gets its limit; outside every range, or unparsable, none', () => {
  expect(sseLineLimitFor('18.3.0', table)).toBe(64 * 1024);
  expect(sseLineLimitFor('v18.5.9', table)).toBe(64 * 1024);
  expect(sseLineLimitFor('18.6.0', table)).toBe(1024 * 1024);
  expect(sseLineLimitFor('19.0.1-dev', table)).toBe(1024 * 1024);
  expect(sseLineLimitFor('18.2.9', table)).toBeUndefined();
  expect(sseLineLimitFor('', table)).toBeUndefined();
});

test('doctor names the known limit, or says it is not known with the three possible ones', () => {
  expect(describeSseLineLimit('18.4.0', table)).toBe('SSE results up to 64 KiB (a larger one is lost; JSON answers pass up to 10 MiB)');
  expect(describeSseLineLimit('18.3.0')).toBe(
    'SSE line limit of Teleport 18.3.0 not known (64 KiB, 1 MiB or 10 MiB by App Service build: results over 64 KiB may be lost unless the server answers with JSON)',
  );
});
