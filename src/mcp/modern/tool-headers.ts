import { isJsonObject, type Json } from '../era/meta';

/**
 * The `x-mcp-header` annotations of tool input schemas (2026-07-28 tools, SEP-2243): which arguments a client must
 * mirror into `Mcp-Param-{Name}` headers. Learned from the tools/list results that pass through the bridge, so a
 * tools/call carries the headers its server expects. A tool whose annotations break the spec's constraints is
 * invalid and must be left out of tools/list by the HTTP client — the bridge is that client.
 */

/** One annotated argument: its header name and the `properties` path to it in the arguments. */
export interface ParamHeader {
  name: string;
  path: string[];
}

/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_TYPES = new Set(['string', 'integer', 'boolean']);
/** JSON Schema keywords whose values are subschemas (or maps/arrays of them): annotations there are unreachable. */
const SUBSCHEMA_KEYWORDS = [
  'items', 'prefixItems', 'additionalProperties', 'patternProperties', '$defs', 'definitions', 'allOf', 'anyOf', 'oneOf',
  'not', 'if', 'then', 'else', 'dependentSchemas', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties',
];

export type ToolHeaders = { ok: true; headers: ParamHeader[] } | { ok: false; reason: string };

/** The annotations of one tool's inputSchema, or why they make the tool invalid. */
export function toolHeadersOf(inputSchema: unknown): ToolHeaders {
  const headers: ParamHeader[] = [];
  const problems: string[] = [];
  const visit = (schema: unknown, path: string[], reachable: boolean): void => {
    if (Array.isArray(schema)) return schema.forEach((s) => visit(s, path, false));
    if (!isJsonObject(schema)) return;
    if ('x-mcp-header' in schema) {
      const problem = annotationProblem(schema, path, reachable);
      if (problem) problems.push(problem);
      else headers.push({ name: schema['x-mcp-header'] as string, path });
    }
    if (isJsonObject(schema.properties)) {
      for (const [key, child] of Object.entries(schema.properties)) visit(child, [...path, key], reachable);
    }
    for (const keyword of SUBSCHEMA_KEYWORDS) {
      const value = schema[keyword];
      if (value === undefined) continue;
      // Maps of subschemas ($defs, patternProperties, dependentSchemas) and single subschemas alike.
      const isMap = keyword === '$defs' || keyword === 'definitions' || keyword === 'patternProperties' || keyword === 'dependentSchemas';
      if (isMap && isJsonObject(value)) Object.values(value).forEach((s) => visit(s, path, false));
      else visit(value, path, false);
    }
  };
  visit(inputSchema, [], true);
  const seen = new Set<string>();
  for (const { name } of headers) {
    const key = name.toLowerCase();
    if (seen.has(key)) problems.push(`x-mcp-header "${name}" is used twice (names are case-insensitive)`);
    seen.add(key);
  }
  return problems.length ? { ok: false, reason: problems.join('; ') } : { ok: true, headers };
}

function annotationProblem(schema: Json, path: string[], reachable: boolean): string | undefined {
  const name = schema['x-mcp-header'];
  const where = path.length ? `property ${path.join('.')}` : 'the schema root';
  if (typeof name !== 'string' || name === '') return `x-mcp-header on ${where} is empty or not a string`;
  if (!TOKEN.test(name)) return `x-mcp-header "${name}" on ${where} is not an HTTP token`;
  if (!reachable || path.length === 0) return `x-mcp-header "${name}" is not on a property reachable through properties alone`;
  if (typeof schema.type !== 'string' || !HEADER_TYPES.has(schema.type)) {
    return `x-mcp-header "${name}" is on ${where} of type ${JSON.stringify(schema.type)} (only string, integer and boolean may be mirrored)`;
  }
  return undefined;
}

/** The value at `path` in a tool call's arguments (undefined when any step is missing). */
export function argumentAt(args: unknown, path: string[]): unknown {
  let value: unknown = args;
  for (const key of path) {
    if (!isJsonObject(value)) return undefined;
    value = value[key];
  }
  return value;
}
