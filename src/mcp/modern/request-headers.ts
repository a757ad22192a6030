import type { Logger } from '../../log/logger';
import { declaredVersionOf, isJsonObject, paramsOf } from '../era/meta';
import type { JsonRpcMessage } from '../jsonrpc';
import { encodeHeaderValue, paramHeaderValue } from './header-value';
import { argumentAt, toolHeadersOf, type ParamHeader } from './tool-headers';

/** Requests whose `Mcp-Name` header mirrors `params.name` or `params.uri`. */
const NAMED: Record<string, 'name' | 'uri'> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/**
 * The HTTP headers a 2026-07-28 request carries besides its body (transports/streamable-http, Request Metadata):
 * `MCP-Protocol-Version` (= the `_meta` one), `Mcp-Method`, `Mcp-Name`, and `Mcp-Param-*` for tool arguments the
 * server annotated with `x-mcp-header` — learned from the tools/list results that pass through (`learn`), which also
 * leaves out tools whose annotations are invalid, as the spec requires of HTTP clients.
 */
export class RequestHeaders {
  private readonly tools = new Map<string, ParamHeader[]>();

  constructor(private readonly logger: Logger) {}

  /** Headers for one outgoing message. */
  for(message: JsonRpcMessage): Record<string, string> {
    const headers: Record<string, string> = {};
    const version = declaredVersionOf(message);
    if (version) headers['mcp-protocol-version'] = version;
    const method = message.method;
    if (typeof method !== 'string' || !('id' in message)) return headers;
    headers['mcp-method'] = method;
    const params = paramsOf(message);
    const nameField = NAMED[method];
    const name = nameField ? params?.[nameField] : undefined;
    if (typeof name === 'string') headers['mcp-name'] = encodeHeaderValue(name);
    if (method === 'tools/call' && typeof name === 'string') {
      for (const { name: header, path } of this.tools.get(name) ?? []) {
        const value = paramHeaderValue(argumentAt(params?.arguments, path));
        if (value !== undefined) headers[`mcp-param-${header.toLowerCase()}`] = value;
      }
    }
    return headers;
  }

  /** Whether this tool's annotations are known (a tools/list that listed it passed through). */
  knows(tool: string): boolean {
    return this.tools.has(tool);
  }

  /**
   * Learns the annotations of a tools/list result and returns it without the tools whose annotations are invalid
   * (the same object when every tool is valid, so its text can be relayed as is).
   */
  learn(result: unknown): { result: unknown; changed: boolean } {
    if (!isJsonObject(result) || !Array.isArray(result.tools)) return { result, changed: false };
    const kept: unknown[] = [];
    for (const tool of result.tools) {
      if (!isJsonObject(tool) || typeof tool.name !== 'string') {
        kept.push(tool);
        continue;
      }
      const headers = toolHeadersOf(tool.inputSchema);
      if (headers.ok) {
        this.tools.set(tool.name, headers.headers);
        kept.push(tool);
      } else {
        this.tools.delete(tool.name);
        this.logger.warn('leaving out a tool whose x-mcp-header annotations are invalid', { tool: tool.name, reason: headers.reason });
      }
    }
    return kept.length === result.tools.length ? { result, changed: false } : { result: { ...result, tools: kept }, changed: true };
  }
}
