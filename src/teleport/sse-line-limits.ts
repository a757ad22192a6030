/**
 * The longest SSE line Teleport's App Service relays, by version (teleport-wire.md §6): 64 KiB on early 18.x builds
 * (mcp-go's bufio.Scanner without a buffer), 1 MiB on late ones (teleport issue #67000), 10 MiB on the newest. A
 * tool result is one `data:` line, so a larger one never arrives over SSE; JSON answers pass up to 10 MiB.
 */
export interface SseLineLimit {
  /** First version with this limit, inclusive, `major.minor.patch`. */
  from: string;
  /** First version without it, exclusive; absent = up to the next entry or to today. */
  until?: string;
  bytes: number;
}

/**
 * The versions a real cluster has confirmed. Which 18.x release moved from one build to the next is not known yet:
 * entries go here when a real cluster (or a release note) settles them; until then every version is reported as
 * unknown, with the three possible limits.
 */
const KNOWN_SSE_LINE_LIMITS: readonly SseLineLimit[] = [];

const POSSIBLE_SSE_LINE_LIMITS = [64 * 1024, 1024 * 1024, 10 * 1024 * 1024] as const;

function versionParts(version: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? match.slice(1, 4).map(Number) : undefined;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The known limit of `version`, or undefined when it is not known (or the version does not parse). */
export function sseLineLimitFor(version: string, known: readonly SseLineLimit[] = KNOWN_SSE_LINE_LIMITS): number | undefined {
  const parts = versionParts(version);
  if (!parts) return undefined;
  const entry = known.find((e) => compare(parts, versionParts(e.from)!) >= 0 && (!e.until || compare(parts, versionParts(e.until)!) < 0));
  return entry?.bytes;
}

/** 65536 → "64 KiB", 1048576 → "1 MiB". */
function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/** One phrase for doctor: the limit known for the version, or that it is not known and what it can be. */
export function describeSseLineLimit(version: string, known: readonly SseLineLimit[] = KNOWN_SSE_LINE_LIMITS): string {
  const limit = sseLineLimitFor(version, known);
  if (limit !== undefined) return `SSE results up to ${formatBytes(limit)} (a larger one is lost; JSON answers pass up to 10 MiB)`;
  const possible = POSSIBLE_SSE_LINE_LIMITS.map(formatBytes).join(', ').replace(/, ([^,]*)$/, ' or $1');
  return `SSE line limit of ${version ? `Teleport ${version}` : 'this version'} not known (${possible} by App Service build: results over ${formatBytes(POSSIBLE_SSE_LINE_LIMITS[0])} may be lost unless the server answers with JSON)`;
}

/** For the relay's errors: what Teleport's App Service passes, for `version` when known. */
export function describeAnswerLimits(version: string, known: readonly SseLineLimit[] = KNOWN_SSE_LINE_LIMITS): string {
  const limit = sseLineLimitFor(version, known);
  const sse = limit !== undefined ? formatBytes(limit) : `${POSSIBLE_SSE_LINE_LIMITS.map(formatBytes).join(', ').replace(/, ([^,]*)$/, ' or $1')} by Teleport version`;
  return `Teleport's App Service relays an SSE result line only up to ${sse}, a JSON answer up to 10 MiB`;
}
