import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where a user's cache lives unless --cache-dir says otherwise: $XDG_CACHE_HOME/mcp-bridge, or ~/.cache/mcp-bridge
 * (a relative XDG_CACHE_HOME is invalid by the XDG spec and ignored). MCP hosts pass HOME but rarely XDG_*.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'mcp-bridge') : join(home, '.cache', 'mcp-bridge');
}
