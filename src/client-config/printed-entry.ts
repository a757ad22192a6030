import { commandArgsEnv } from './client-writer';
import { langgraphJsSnippet, langgraphPythonSnippet } from './langgraph-snippet';
import type { StdioServer } from './stdio-server';

export const PRINT_FORMATS = ['json', 'langgraph-python', 'langgraph-js'] as const;
export type PrintFormat = (typeof PRINT_FORMATS)[number];

/** What `mcp-bridge config` prints without --client-config: an `mcpServers` block to paste, or a program. */
export function renderServer(format: PrintFormat, name: string, server: StdioServer): string {
  switch (format) {
    case 'json':
      return JSON.stringify({ mcpServers: { [name]: commandArgsEnv(server) } }, null, 2) + '\n';
    case 'langgraph-js':
      return langgraphJsSnippet(name, server);
    case 'langgraph-python':
      return langgraphPythonSnippet(name, server);
  }
}
