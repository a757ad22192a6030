import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioTransportV2 } from '@modelcontextprotocol/client/stdio';
import { bridgeCommand, mcpRemoteCommand, type StdioCommand } from '../../test/support/stdio-peers';
import type { Hop } from './run-scenario';

/**
 * The thin client the official conformance runner launches (`conformance client --command "… driver.ts ERA"`, which
 * appends the scenario server's URL): an MCP client on stdio that starts `mcp-bridge connect --url URL` and does what
 * the scenario (MCP_CONFORMANCE_SCENARIO) expects of a client, so the runner judges what reaches the server through
 * the bridge. ERA 2025 is the SDK v1 client (a 2025 host); ERA 2026 is the SDK v2 client pinned to 2026-07-28.
 * An optional HOP (`mcp-remote-auto`) puts mcp-remote --protocol auto where the bridge goes, as the reference.
 * Exits non-zero when an action failed; the runner's checks decide the verdict.
 */

const HOPS: Record<Hop, (url: string) => StdioCommand> = {
  bridge: (url) => bridgeCommand(url),
  'mcp-remote-auto': (url) => mcpRemoteCommand(url, { protocol: 'auto' }),
};

function hopCommand(hop: string, url: string): StdioCommand {
  const command = HOPS[hop as Hop];
  if (!command) throw new Error(`hop must be one of ${Object.keys(HOPS).join(', ')}, not ${hop}`);
  return command(url);
}

interface Tool {
  name: string;
  inputSchema: { properties?: Record<string, { type?: string }> };
}

/** The calls the scenarios need; SDK v1 and v2 clients share these shapes. */
interface DriverClient {
  listTools(): Promise<{ tools: Tool[] }>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  listResources(): Promise<{ resources: Array<{ uri: string }> }>;
  readResource(params: { uri: string }): Promise<unknown>;
  listPrompts(): Promise<{ prompts: Array<{ name: string }> }>;
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<unknown>;
  close(): Promise<void>;
}

/** What the scenario's elicitation asks for: SEP-1034 expects the client to fill in defaults from `{}`. */
const ELICITATION_ANSWER: Record<string, Record<string, unknown>> = {
  'elicitation-sep1034-client-defaults': {},
  'sep-2322-client-request-state': { confirmed: true },
};

async function connect(era: string, hop: string, url: string, scenario: string): Promise<DriverClient> {
  const answer = ELICITATION_ANSWER[scenario] ?? {};
  const server = { ...hopCommand(hop, url), stderr: 'inherit' as const };
  if (era === '2025') {
    const client = new ClientV1({ name: 'mcp-bridge-conformance-driver', version: '1.0.0' }, { capabilities: { elicitation: { form: { applyDefaults: true } } } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: answer as Record<string, string> }));
    await client.connect(new StdioTransportV1(server));
    return client as unknown as DriverClient;
  }
  if (era === '2026') {
    const client = new ClientV2(
      { name: 'mcp-bridge-conformance-driver', version: '1.0.0' },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: answer as Record<string, string> }));
    await client.connect(new StdioTransportV2(server));
    return client as unknown as DriverClient;
  }
  throw new Error(`era must be 2025 or 2026, not ${era}`);
}

/** Arguments that satisfy a tool's schema well enough to call it (for scenarios that judge which tools get called). */
function placeholderArguments(tool: Tool): Record<string, unknown> {
  const byType: Record<string, unknown> = { string: 'x', integer: 1, number: 1, boolean: true, object: {}, array: [], null: null };
  return Object.fromEntries(Object.entries(tool.inputSchema.properties ?? {}).map(([name, schema]) => [name, byType[schema.type ?? 'string'] ?? 'x']));
}

interface ContextToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

function contextToolCalls(): ContextToolCall[] {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  return raw ? ((JSON.parse(raw) as { toolCalls?: ContextToolCall[] }).toolCalls ?? []) : [];
}

type Action = (client: DriverClient) => Promise<void>;

const call = (client: DriverClient, name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args });

/** What each scenario expects the client to do once connected (its server checks what arrives). */
const ACTIONS: Record<string, Action> = {
  initialize: async (c) => void (await c.listTools()),
  tools_call: async (c) => {
    await c.listTools();
    await call(c, 'add_numbers', { a: 5, b: 3 });
  },
  'elicitation-sep1034-client-defaults': async (c) => {
    await c.listTools();
    await call(c, 'test_client_elicitation_defaults');
  },
  'sse-retry': async (c) => {
    await c.listTools();
    await call(c, 'test_reconnection');
  },
  'request-metadata': async (c) => void (await c.listTools()),
  'sep-2322-client-request-state': async (c) => {
    await c.listTools();
    for (const tool of ['test_mrtr_echo_state', 'test_mrtr_no_state', 'test_mrtr_unrelated']) await call(c, tool);
    // The scenario answers this one without resultType and checks only that no retry follows; SDK v2 (2.4.0) rejects
    // such a 2026 result outright, which is not the hop's doing.
    await call(c, 'test_mrtr_no_result_type').catch((err: Error) => process.stderr.write(`test_mrtr_no_result_type: ${err.message}\n`));
  },
  'http-standard-headers': async (c) => {
    for (const tool of (await c.listTools()).tools) await call(c, tool.name);
    for (const resource of (await c.listResources()).resources) await c.readResource({ uri: resource.uri });
    for (const prompt of (await c.listPrompts()).prompts) await c.getPrompt({ name: prompt.name });
  },
  'http-custom-headers': async (c) => {
    await c.listTools();
    for (const toolCall of contextToolCalls()) await call(c, toolCall.name, toolCall.arguments);
  },
  // The client must drop tools with invalid x-mcp-header annotations from tools/list; whatever it keeps is called.
  'http-invalid-tool-headers': async (c) => {
    for (const tool of (await c.listTools()).tools) await call(c, tool.name, placeholderArguments(tool)).catch(() => undefined);
  },
  'json-schema-ref-no-deref': async (c) => void (await c.listTools()),
  'json-schema-2020-12-preservation': async (c) => {
    const { tools } = await c.listTools();
    const focal = tools.find((t) => t.name !== 'json_schema_echo');
    if (!focal) throw new Error('no tool besides json_schema_echo listed');
    await call(c, 'json_schema_echo', { schema: focal.inputSchema });
  },
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const [era, hop, url] = args.length === 3 ? args : [args[0], 'bridge', args[args.length - 1]];
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const action = ACTIONS[scenario];
  if (!action) throw new Error(`no driver action for scenario '${scenario}' (known: ${Object.keys(ACTIONS).join(', ')})`);
  const client = await connect(era, hop, url, scenario);
  try {
    await action(client);
  } finally {
    await client.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`conformance driver: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
