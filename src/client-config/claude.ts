import type { ClientConfigWriter } from './client-writer';
import { commandArgsEnv } from './client-writer';
import { claudeDesktopConfigPath } from './default-paths';

/** Claude Desktop's claude_desktop_config.json; also the format of a --client-config PATH. */
export const claudeDesktop: ClientConfigWriter = {
  id: 'claude',
  label: 'Claude Desktop',
  serversKey: 'mcpServers',
  defaultPath: claudeDesktopConfigPath,
  toEntry: commandArgsEnv,
};
