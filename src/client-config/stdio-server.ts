/** How an MCP client starts a local stdio server: the part every client's config format shares. */
export interface StdioServer {
  command: string;
  args: string[];
  env: Record<string, string>;
}
