/**
 * The two MCP eras (spec 2026-07-28, basic/versioning): *legacy* revisions open a session with `initialize`
 * (2025-11-25 and earlier), *modern* ones carry version, identity and capabilities on every request (2026-07-28 on).
 */
export type Era = 'legacy' | 'modern';

/** The modern revisions mcp-bridge speaks, newest first. */
export const MODERN_VERSIONS = ['2026-07-28'] as const;
/** The legacy revision answered to a 2025-era client whose requested version is unknown to us. */
const LATEST_LEGACY_VERSION = '2025-11-25';
const LEGACY_VERSIONS = new Set(['2024-11-05', '2025-03-26', '2025-06-18', LATEST_LEGACY_VERSION]);

/** Revisions are dates: anything from the first modern one on is modern. */
export function isModernVersion(version: unknown): version is string {
  return typeof version === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= MODERN_VERSIONS[MODERN_VERSIONS.length - 1];
}

/** The newest modern revision both we and a server listing `supported` speak. */
export function mutualModernVersion(supported: readonly unknown[]): string | undefined {
  return MODERN_VERSIONS.find((version) => supported.includes(version));
}

/** The legacy revision to answer a 2025-era client's initialize with: its own when we know it. */
export function legacyVersionFor(requested: unknown): string {
  return typeof requested === 'string' && LEGACY_VERSIONS.has(requested) ? requested : LATEST_LEGACY_VERSION;
}
