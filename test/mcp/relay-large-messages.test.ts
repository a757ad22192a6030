import { spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DEFAULT_MAX_OUTPUT_MESSAGE_SIZE } from '../../src/mcp/limits';
import { BIN } from '../support/cli';
import { clientThroughBridge } from './support/bridge';
import { ScriptedServer, SseResponse, result } from './support/scripted-server';

const MiB = 1024 * 1024;

/** A tools/call response of `bytes` bytes exactly as the server writes it (the SDK's member order: result first, id last). */
function responseBytes(id: unknown, bytes: number): Buffer {
  const frame = JSON.stringify({ result: { content: [{ type: 'text', text: '' }] }, jsonrpc: '2.0', id });
  return Buffer.from(JSON.stringify({ result: { content: [{ type: 'text', text: 'r'.repeat(bytes - frame.length) }] }, jsonrpc: '2.0', id }));
}

let server: ScriptedServer;
/** The exact bytes of every `big` answer, by request id. */
const sentBodies = new Map<unknown, Buffer>();

beforeAll(async () => {
  server = await ScriptedServer.start();
  // `big` answers with a response of `bytes` as a JSON body or in an SSE stream, after a notification of `notice` bytes.
  server.handle('tools/call', async (m, res: ServerResponse) => {
    const { name, arguments: args } = m.params;
    if (name !== 'big') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result(m.id, { content: [{ type: 'text', text: 'small' }] })));
      return;
    }
    const body = responseBytes(m.id, args.bytes);
    sentBodies.set(m.id, body);
    if (!args.sse) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    const sse = new SseResponse(res);
    if (args.notice) await sse.send({ data: { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'n'.repeat(args.notice) } } });
    await sse.send({ data: body.toString() });
    sse.end();
  });
});

afterAll(() => server?.close());

describe('through an SDK client (which closes its whole connection on a line over its cap)', () => {
  let client: Client;
  let stderr: () => string;

  beforeAll(async () => {
    ({ client, stderr } = await clientThroughBridge(['connect', '--url', server.url]));
  });

  afterAll(() => client?.close());

  const big = (args: Record<string, unknown>) => client.callTool({ name: 'big', arguments: args });
  const small = () => client.callTool({ name: 'small', arguments: {} });

  describe.each([
    ['a JSON body', false],
    ['an SSE event', true],
  ])('a result in %s', (_what, sse) => {
    test('of 11 MiB gets a tagged OUTPUT_TOO_LARGE error with its size and the limit, and the next call succeeds', async () => {
      const error = await big({ bytes: 11 * MiB, sse }).then(
        () => undefined,
        (err: { data?: unknown }) => err,
      );
      expect(error?.data).toEqual({ tag: 'MCP_BRIDGE_OUTPUT_TOO_LARGE', size: 11 * MiB, limit: DEFAULT_MAX_OUTPUT_MESSAGE_SIZE });
      // Had a line over the cap reached it, the client would have closed the connection and this call would fail.
      expect((await small()).content).toEqual([{ type: 'text', text: 'small' }]);
    });

    test('of 9.9 MiB arrives whole', async () => {
      const answer = await big({ bytes: 9.9 * MiB, sse });
      const text = (answer.content as Array<{ text: string }>)[0].text;
      expect(text.length).toBeGreaterThan(9.9 * MiB - 100);
      expect(text).toMatch(/^r+$/);
    });
  });

  test('a notification over the limit inside an answer stream is dropped with a warning; the response still arrives', async () => {
    const answer = await big({ bytes: 1000, sse: true, notice: 11 * MiB });
    expect((answer.content as Array<{ text: string }>)[0].text).toMatch(/^r+$/);
    expect(stderr()).toMatch(/dropped a server notification notifications\/message of \d+ bytes, over the 10420224-byte limit of --max-output-message-size/);
    expect((await small()).content).toEqual([{ type: 'text', text: 'small' }]);
  });
});

/** The bridge as a child process whose stdout is kept as bytes, split into lines by the test. */
class ByteBridge {
  private readonly child = spawn(process.execPath, [BIN, 'connect', '--url', server.url]);
  private readonly chunks: Buffer[] = [];
  private waiters: Array<() => void> = [];

  constructor() {
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  send(message: unknown): void {
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  lines(): Buffer[] {
    const all = Buffer.concat(this.chunks);
    const lines: Buffer[] = [];
    for (let start = 0, nl = all.indexOf(0x0a); nl !== -1; start = nl + 1, nl = all.indexOf(0x0a, start)) lines.push(all.subarray(start, nl));
    return lines;
  }

  /** The stdout line that answers `id`, once it is complete. */
  async answerTo(id: string): Promise<Buffer> {
    for (;;) {
      const line = this.lines().find((l) => l.includes(`"id":${JSON.stringify(id)}`));
      if (line) return line;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async end(): Promise<void> {
    this.child.stdin.end();
    await new Promise((resolve) => this.child.once('exit', resolve));
  }
}

test.each([
  ['a JSON body', false, 'json-9.9'],
  ['an SSE event', true, 'sse-9.9'],
])('a 9.9 MiB result in %s is written to stdout byte for byte as the server sent it', async (_what, sse, id) => {
  const bridge = new ByteBridge();
  try {
    bridge.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await bridge.answerTo('init');
    bridge.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    bridge.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'big', arguments: { bytes: 9.9 * MiB, sse } } });
    const answer = await bridge.answerTo(id);
    expect(answer.length).toBe(sentBodies.get(id)?.length);
    expect(answer.equals(sentBodies.get(id)!)).toBe(true);
  } finally {
    await bridge.end();
  }
});
