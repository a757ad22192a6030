import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpTransportV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioTransportV2 } from '@modelcontextprotocol/client/stdio';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import type { ListKind, ToolCall } from './profiles';

/**
 * The real MCP clients the era matrix drives, each behind one small session interface: the SDK v1 client (what Claude
 * Desktop and most 2025 hosts run), the SDK v2 client negotiating (`auto`) or pinned to 2026-07-28, and LangChain's
 * adapters (SDK v1 underneath, no elicitation capability).
 */

export type ClientKind = 'sdk-v1' | 'sdk-v2-auto' | 'sdk-v2-2026' | 'langchain';
export const CLIENT_KINDS: readonly ClientKind[] = ['sdk-v1', 'sdk-v2-auto', 'sdk-v2-2026', 'langchain'];

/** A stdio command (the bridge, usually) or a Streamable HTTP URL (to prove a client against a server directly). */
export type Target = { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string> } | { kind: 'http'; url: string };

export interface ToolResult {
  text: string;
  isError: boolean;
}

export interface ScenarioSession {
  readonly client: ClientKind;
  /** The era the client settled on, when it says ('legacy' or 'modern'). */
  readonly era: string | undefined;
  /** False when the client declares no elicitation capability (so the step is skipped, not failed). */
  readonly canElicit: boolean;
  /** Elicitation requests the client answered so far. */
  readonly elicitations: number;
  listTools(): Promise<string[]>;
  callTool(call: ToolCall, onProgress?: (progress: number) => void): Promise<ToolResult>;
  /** Whatever the client must do before list changes can reach it (a modern client opens subscriptions/listen). */
  prepareListChanged(kind: ListKind): Promise<void>;
  /** How many list-changed notifications of `kind` arrived so far, and a promise for the next count. */
  listChangedCount(kind: ListKind): number;
  listChangedAfter(kind: ListKind, count: number): Promise<void>;
  /** The target's stderr so far (stdio targets), for failure reports. */
  stderr(): string;
  close(): Promise<void>;
}

const CLIENT_INFO = { name: 'mcp-bridge-era-matrix', version: '1.0.0' };

/** Counts notifications per list kind and wakes whoever waits for the next one. */
class ListChangedLog {
  private readonly counts: Record<ListKind, number> = { tools: 0, resources: 0 };
  private waiters: Array<() => void> = [];

  record(kind: ListKind): void {
    this.counts[kind]++;
    this.waiters.splice(0).forEach((wake) => wake());
  }

  count(kind: ListKind): number {
    return this.counts[kind];
  }

  async after(kind: ListKind, count: number): Promise<void> {
    while (this.counts[kind] <= count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

const textOf = (content: unknown): string =>
  Array.isArray(content) ? content.map((c: { text?: string }) => c.text ?? '').join('') : typeof content === 'string' ? content : JSON.stringify(content);

function captureStderr(stream: NodeJS.ReadableStream | null | undefined): () => string {
  let captured = '';
  stream?.on('data', (chunk: Buffer) => (captured = (captured + chunk.toString()).slice(-64 * 1024)));
  return () => captured;
}

async function openSdkV1(target: Target, answer: Record<string, unknown>): Promise<ScenarioSession> {
  const log = new ListChangedLog();
  let elicitations = 0;
  const client = new ClientV1(CLIENT_INFO, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, async () => {
    elicitations++;
    return { action: 'accept', content: answer as Record<string, string> };
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => log.record('tools'));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => log.record('resources'));
  let stderr = () => '';
  if (target.kind === 'stdio') {
    const transport = new StdioTransportV1({ command: target.command, args: target.args, env: target.env, stderr: 'pipe' });
    stderr = captureStderr(transport.stderr as NodeJS.ReadableStream | null);
    await client.connect(transport);
  } else {
    await client.connect(new HttpTransportV1(new URL(target.url)));
  }
  return {
    client: 'sdk-v1',
    era: 'legacy',
    canElicit: true,
    get elicitations() {
      return elicitations;
    },
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    async callTool(call, onProgress) {
      const result = await client.callTool(call, undefined, onProgress ? { onprogress: (p) => onProgress(p.progress) } : undefined);
      return { text: textOf(result.content), isError: result.isError === true };
    },
    prepareListChanged: async () => undefined,
    listChangedCount: (kind) => log.count(kind),
    listChangedAfter: (kind, count) => log.after(kind, count),
    stderr,
    close: () => client.close(),
  };
}

async function openSdkV2(kind: 'sdk-v2-auto' | 'sdk-v2-2026', target: Target, answer: Record<string, unknown>): Promise<ScenarioSession> {
  const log = new ListChangedLog();
  let elicitations = 0;
  const client = new ClientV2(CLIENT_INFO, {
    capabilities: { elicitation: {} },
    versionNegotiation: { mode: kind === 'sdk-v2-auto' ? 'auto' : { pin: '2026-07-28' } },
  });
  // One handler serves both eras: a 2025 server's elicitation/create request and a 2026 server's MRTR input request.
  client.setRequestHandler('elicitation/create', async () => {
    elicitations++;
    return { action: 'accept', content: answer as Record<string, string> };
  });
  client.setNotificationHandler('notifications/tools/list_changed', () => log.record('tools'));
  client.setNotificationHandler('notifications/resources/list_changed', () => log.record('resources'));
  let stderr = () => '';
  if (target.kind === 'stdio') {
    const transport = new StdioTransportV2({ command: target.command, args: target.args, env: target.env, stderr: 'pipe' });
    stderr = captureStderr(transport.stderr as NodeJS.ReadableStream | null);
    await client.connect(transport);
  } else {
    await client.connect(new HttpTransportV2(new URL(target.url)));
  }
  const subscriptions: Array<{ close(): Promise<void> }> = [];
  return {
    client: kind,
    era: client.getProtocolEra(),
    canElicit: true,
    get elicitations() {
      return elicitations;
    },
    listTools: async () => (await client.listTools(undefined, { cacheMode: 'bypass' })).tools.map((t) => t.name),
    async callTool(call, onProgress) {
      const result = await client.callTool(call, onProgress ? { onprogress: (p) => onProgress(p.progress) } : undefined);
      return { text: textOf(result.content), isError: result.isError === true };
    },
    async prepareListChanged(listKind) {
      if (client.getProtocolEra() !== 'modern') return;
      subscriptions.push(await client.listen(listKind === 'tools' ? { toolsListChanged: true } : { resourcesListChanged: true }));
    },
    listChangedCount: (listKind) => log.count(listKind),
    listChangedAfter: (listKind, count) => log.after(listKind, count),
    stderr,
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await client.close();
    },
  };
}

const LANGCHAIN_SERVER = 'upstream';

async function openLangchain(target: Target): Promise<ScenarioSession> {
  const log = new ListChangedLog();
  let onProgress: ((progress: number) => void) | undefined;
  const connection =
    target.kind === 'stdio'
      ? { transport: 'stdio' as const, command: target.command, args: target.args, env: target.env, stderr: 'ignore' as const }
      : { transport: 'http' as const, url: target.url };
  const client = new MultiServerMCPClient({
    mcpServers: { [LANGCHAIN_SERVER]: connection },
    throwOnLoadError: true,
    onConnectionError: 'throw',
    onProgress: (progress) => onProgress?.(progress.progress),
    onToolsListChanged: () => log.record('tools'),
    onResourcesListChanged: () => log.record('resources'),
  });
  await client.initializeConnections();
  const toolsByName = async () => new Map((await client.getTools()).map((tool) => [tool.name, tool]));
  return {
    client: 'langchain',
    era: undefined,
    canElicit: false,
    elicitations: 0,
    listTools: async () => [...(await toolsByName()).keys()],
    async callTool(call, progress) {
      const tool = (await toolsByName()).get(call.name);
      if (!tool) throw new Error(`langchain lists no tool ${call.name}`);
      onProgress = progress;
      try {
        const output: unknown = await tool.invoke(call.arguments);
        return { text: textOf(Array.isArray(output) && output.length === 2 && !('type' in (output[0] ?? {})) ? output[0] : output), isError: false };
      } catch (err) {
        // The adapters turn an isError result into a thrown ToolException.
        if ((err as Error).name === 'ToolException') return { text: (err as Error).message, isError: true };
        throw err;
      } finally {
        onProgress = undefined;
      }
    },
    prepareListChanged: async () => undefined,
    listChangedCount: (kind) => log.count(kind),
    listChangedAfter: (kind, count) => log.after(kind, count),
    stderr: () => '',
    close: () => client.close(),
  };
}

export function openSession(client: ClientKind, target: Target, elicitationAnswer: Record<string, unknown>): Promise<ScenarioSession> {
  switch (client) {
    case 'sdk-v1':
      return openSdkV1(target, elicitationAnswer);
    case 'sdk-v2-auto':
    case 'sdk-v2-2026':
      return openSdkV2(client, target, elicitationAnswer);
    case 'langchain':
      return openLangchain(target);
  }
}
