import type { ClientConfigWriter } from './client-writer';
import { commandArgsEnv } from './client-writer';
import { vscodeConfigPath } from './default-paths';

/**
 * VS Code's user mcp.json: servers live under `servers` (not `mcpServers`) and each names its transport with
 * `type` (https://code.visualstudio.com/docs/copilot/reference/mcp-configuration). The file is JSONC.
 */
export const vscode: ClientConfigWriter = {
  id: 'vscode',
  label: 'VS Code',
  serversKey: 'servers',
  defaultPath: vscodeConfigPath,
  toEntry: (server) => ({ type: 'stdio', ...commandArgsEnv(server) }),
};
