import type { PlatformContext } from './default-paths';
import type { StdioServer } from './stdio-server';

/** What differs between MCP clients' config files: where the file is, which key holds servers, an entry's shape. */
export interface ClientConfigWriter {
  /** The --client-config value that selects this client. */
  id: string;
  /** Name shown to the user ("Claude Desktop"). */
  label: string;
  /** Top-level key whose object maps server names to entries. */
  serversKey: string;
  defaultPath(ctx: PlatformContext): string;
  toEntry(server: StdioServer): Record<string, unknown>;
}

/** The `mcpServers` entry Claude Desktop introduced and most clients copied: command, args, env. */
export function commandArgsEnv(server: StdioServer): Record<string, unknown> {
  return { command: server.command, args: server.args, env: server.env };
}
