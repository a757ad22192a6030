import type { ClientRequest } from '../link';
import { declaredVersionOf } from './meta';
import { isModernVersion, type Era } from './versions';

/**
 * The era a stdio client speaks, from its first request: `initialize` opens a 2025 session; `server/discover` (the
 * era probe) or a request declaring a 2026-07-28+ version in `_meta` is modern. Anything else is taken as legacy.
 */
export function clientEraOf(first: ClientRequest): Era {
  if (first.method === 'initialize') return 'legacy';
  if (first.method === 'server/discover' || isModernVersion(declaredVersionOf(first.message))) return 'modern';
  return 'legacy';
}
