import { createLogger } from '../../../src/log/logger';
import { RequestHeaders } from '../../../src/mcp/modern/request-headers';
import { toolHeadersOf } from '../../../src/mcp/modern/tool-headers';

const schema = (properties: Record<string, unknown>) => ({ type: 'object', properties });

describe('x-mcp-header annotations', () => {
  it('finds annotations on properties reachable through properties alone, nested ones included', () => {
    const found = toolHeadersOf(schema({ region: { type: 'string', 'x-mcp-header': 'Region' }, opts: schema({ tenant: { type: 'integer', 'x-mcp-header': 'Tenant' } }), query: { type: 'string' } }));
    expect(found).toEqual({ ok: true, headers: [{ name: 'Region', path: ['region'] }, { name: 'Tenant', path: ['opts', 'tenant'] }] });
  });

  // The invalid definitions of the official conformance scenario http-invalid-tool-headers, and the spec's reachability rule.
  it.each([
    ['empty', schema({ value: { type: 'string', 'x-mcp-header': '' } })],
    ['object', schema({ data: { type: 'object', 'x-mcp-header': 'Data' } })],
    ['array', schema({ items: { type: 'array', items: { type: 'string' }, 'x-mcp-header': 'Items' } })],
    ['null', schema({ nil: { type: 'null', 'x-mcp-header': 'Nil' } })],
    ['number', schema({ score: { type: 'number', 'x-mcp-header': 'Score' } })],
    ['duplicate', schema({ a: { type: 'string', 'x-mcp-header': 'Region' }, b: { type: 'string', 'x-mcp-header': 'Region' } })],
    ['duplicate in another case', schema({ a: { type: 'string', 'x-mcp-header': 'MyField' }, b: { type: 'string', 'x-mcp-header': 'myfield' } })],
    ['space', schema({ value: { type: 'string', 'x-mcp-header': 'My Region' } })],
    ['colon', schema({ value: { type: 'string', 'x-mcp-header': 'Region:Primary' } })],
    ['non-ASCII', schema({ value: { type: 'string', 'x-mcp-header': 'Région' } })],
    ['control character', schema({ value: { type: 'string', 'x-mcp-header': 'Region\t1' } })],
    ['inside items', schema({ list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } })],
    ['inside oneOf', { type: 'object', oneOf: [schema({ a: { type: 'string', 'x-mcp-header': 'A' } })] }],
    ['inside $defs', { type: 'object', $defs: { d: { type: 'string', 'x-mcp-header': 'D' } }, properties: { d: { $ref: '#/$defs/d' } } }],
    ['on the root', { type: 'object', 'x-mcp-header': 'Root' }],
  ])('rejects an annotation that is %s', (_case, inputSchema) => {
    expect(toolHeadersOf(inputSchema).ok).toBe(false);
  });

  it('reads a property named x-mcp-header as a property, not as an annotation', () => {
    expect(toolHeadersOf(schema({ 'x-mcp-header': { type: 'string' } }))).toEqual({ ok: true, headers: [] });
  });
});

describe('request headers', () => {
  const logger = createLogger({ level: 'error', format: 'text', sink: () => undefined });
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };

  it('derives the version, method and name headers, and the annotated arguments once tools/list taught them', () => {
    const headers = new RequestHeaders(logger);
    const listed = {
      tools: [
        { name: 'lookup', inputSchema: schema({ region: { type: 'string', 'x-mcp-header': 'Region' }, verbose: { type: 'boolean', 'x-mcp-header': 'Verbose' }, q: { type: 'string' } }) },
        { name: 'broken', inputSchema: schema({ n: { type: 'number', 'x-mcp-header': 'N' } }) },
      ],
    };
    const learned = headers.learn(listed);
    expect(learned.changed).toBe(true);
    expect((learned.result as typeof listed).tools.map((t) => t.name)).toEqual(['lookup']);
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: { region: 'eu-wäst', verbose: null, q: 'x' }, _meta: meta } };
    expect(headers.for(call)).toEqual({
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'lookup',
      'mcp-param-region': '=?base64?ZXUtd8Okc3Q=?=',
    });
  });

  it('names resources by URI in the base64 form when they are not plain ASCII', () => {
    const headers = new RequestHeaders(logger);
    const read = { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'memo://notizen/über', _meta: meta } };
    expect(headers.for(read)['mcp-name']).toBe(`=?base64?${Buffer.from('memo://notizen/über').toString('base64')}?=`);
  });

  it('keeps a tools/list result whose tools are all valid as it is, so its text is relayed untouched', () => {
    const result = { tools: [{ name: 'plain', inputSchema: schema({}) }] };
    expect(new RequestHeaders(logger).learn(result)).toEqual({ result, changed: false });
  });
});
