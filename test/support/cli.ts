import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
/** The launcher users run: bin/mcp-bridge loads the bundle in dist/. */
export const BIN = join(REPO, 'bin', 'mcp-bridge');

/** process.env without MCP_BRIDGE_* and TELEPORT_* variables, so a developer's own settings cannot leak into a test. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MCP_BRIDGE_|TELEPORT_)/.test(k)));
}
