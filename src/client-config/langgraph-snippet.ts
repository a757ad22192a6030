import type { StdioServer } from './stdio-server';

/*
 * Complete, runnable LangChain/LangGraph programs that start mcp-bridge as a stdio MCP server, list its tools and
 * call one. Values are embedded with JSON.stringify: a JSON string is a valid JavaScript and Python string literal,
 * so paths with backslashes or quotes survive.
 */

const json = (value: unknown, indent: string) => JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);

/**
 * An .mjs file for @langchain/mcp-adapters: `node FILE [TOOL] [JSON_ARGS]`. Its console.log lines are the generated
 * program's own output, text here (stdout-ok): `config --format` prints the program, and never runs it.
 */
export function langgraphJsSnippet(name: string, server: StdioServer): string {
  return `// ${name} through mcp-bridge, from LangChain.js. Save as ${name}.mjs in a project that has
// @langchain/mcp-adapters, @langchain/core and @langchain/langgraph installed, then run:
//   node ${name}.mjs [TOOL] [JSON_ARGS]
// Without TOOL it calls the first tool that needs no arguments.
import { MultiServerMCPClient } from "@langchain/mcp-adapters";

const client = new MultiServerMCPClient({
  mcpServers: {
    ${JSON.stringify(name)}: {
      transport: "stdio",
      command: ${JSON.stringify(server.command)},
      args: ${json(server.args, '      ')},
      env: ${json(server.env, '      ')},
    },
  },
});

try {
  const tools = await client.getTools();
  console.log(\`tools: \${tools.map((t) => t.name).join(", ")}\`);
  const [toolName, toolArgs = "{}"] = process.argv.slice(2);
  const tool = toolName
    ? tools.find((t) => t.name === toolName)
    : tools.find((t) => !(t.schema?.required?.length > 0));
  if (!tool) throw new Error(toolName ? \`no tool named \${toolName}\` : "no tool without required arguments: pass TOOL and JSON_ARGS");
  console.log(\`\${tool.name}:\`, await tool.invoke(JSON.parse(toolArgs)));
} finally {
  await client.close();
}
`;
}

/** A script for langchain-mcp-adapters (Python): `python FILE [TOOL] [JSON_ARGS]`. */
export function langgraphPythonSnippet(name: string, server: StdioServer): string {
  return `# ${name} through mcp-bridge, from LangChain (Python). Needs: pip install langchain-mcp-adapters
# Run: python ${name.replace(/-/g, '_')}.py [TOOL] [JSON_ARGS]
# Without TOOL it calls the first tool that needs no arguments.
import asyncio
import json
import sys

from langchain_mcp_adapters.client import MultiServerMCPClient


async def main() -> None:
    client = MultiServerMCPClient(
        {
            ${JSON.stringify(name)}: {
                "transport": "stdio",
                "command": ${JSON.stringify(server.command)},
                "args": ${json(server.args, '                ')},
                "env": ${json(server.env, '                ')},
            }
        }
    )
    tools = await client.get_tools()
    print("tools:", ", ".join(t.name for t in tools))
    tool_name = sys.argv[1] if len(sys.argv) > 1 else None
    tool_args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    if tool_name:
        tool = next((t for t in tools if t.name == tool_name), None)
    else:
        tool = next((t for t in tools if not (t.args_schema or {}).get("required")), None)
    if tool is None:
        raise SystemExit(f"no tool named {tool_name}" if tool_name else "no tool without required arguments: pass TOOL and JSON_ARGS")
    print(f"{tool.name}:", await tool.ainvoke(tool_args))


asyncio.run(main())
`;
}
