import type { ClientConfigWriter } from './client-writer';
import { commandArgsEnv } from './client-writer';
import { cursorConfigPath } from './default-paths';

/** Cursor's global ~/.cursor/mcp.json uses Claude Desktop's format. */
export const cursor: ClientConfigWriter = {
  id: 'cursor',
  label: 'Cursor',
  serversKey: 'mcpServers',
  defaultPath: cursorConfigPath,
  toEntry: commandArgsEnv,
};
