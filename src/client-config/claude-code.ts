import type { ClientConfigWriter } from './client-writer';
import { commandArgsEnv } from './client-writer';
import { claudeCodeConfigPath } from './default-paths';

/** Claude Code's user-scope servers: `mcpServers` in ~/.claude.json, entries typed like `claude mcp add` writes them. */
export const claudeCode: ClientConfigWriter = {
  id: 'claude-code',
  label: 'Claude Code',
  serversKey: 'mcpServers',
  defaultPath: claudeCodeConfigPath,
  toEntry: (server) => ({ type: 'stdio', ...commandArgsEnv(server) }),
};
