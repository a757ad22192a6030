import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BridgeError } from '../../../src/errors/catalogue';
import type { RecoveryVerdict, Upstream, UpstreamFailure, UpstreamTransport } from '../../../src/upstream/types';
import { until } from '../../support/until';
import { capturingLogger, InProcessRelay } from '../support/in-process-relay';

/**
 * The stream link (src/mcp/stream) through the real relay, against a line server on a loopback socket: what a
 * Teleport stdio or SSE app looks like to the bridge once TLS and ping frames are peeled off.
 */

type Message = Record<string, any>;

/** One accepted connection: what it received, and its socket to answer on. */
interface Accepted {
  socket: Socket;
  received: Message[];
}

/**
 * A newline-JSON server: answers initialize with serverInfo {name: 'loop', version}, any other request with
 * {method}, unless `script` handles the message first (returning true).
 */
class LineServer {
  readonly connections: Accepted[] = [];
  version = '1';
  /** Connections still to close at once, before a byte. */
  refuse = 0;
  script: (message: Message, conn: Accepted) => boolean = () => false;
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((socket) => this.accept(socket));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (this.refuse > 0) {
      this.refuse--;
      socket.resume(); // what the client sends is discarded, so its end is seen and the socket closes
      socket.end();
      return;
    }
    const conn: Accepted = { socket, received: [] };
    this.connections.push(conn);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      const parts = (text + chunk.toString()).split('\n');
      text = parts.pop()!;
      for (const line of parts) {
        const message = JSON.parse(line) as Message;
        conn.received.push(message);
        if (this.script(message, conn) || message.id === undefined || message.method === undefined) continue;
        const result = message.method === 'initialize' ? { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'loop', version: this.version } } : { method: message.method };
        socket.write(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }) + '\n');
      }
    });
  }

  methods(index: number): string[] {
    return this.connections[index]!.received.map((m) => m.method ?? `response:${m.id}`);
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** An upstream whose streams are loopback sockets to the line server; counts recoverFrom() calls. */
class LoopbackUpstream implements Upstream {
  readonly url = new URL('http://127.0.0.1/');
  readonly cacheKey = 'loopback';
  readonly headers = {};
  readonly carriesServerRequests = false;
  recovered: UpstreamFailure[] = [];
  unreachable = false;

  constructor(private readonly server: LineServer) {}

  transport(): UpstreamTransport {
    return 'stream';
  }
  async ready(): Promise<void> {}
  dispatcher(): never {
    throw new Error('no HTTP here');
  }
  async openStream(): Promise<Duplex> {
    if (this.unreachable) throw new BridgeError('PROXY_UNREACHABLE', 'nothing listens');
    const socket = connect(this.server.port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  }
  async recoverFrom(failure: UpstreamFailure): Promise<RecoveryVerdict> {
    this.recovered.push(failure);
    return { action: 'retry', reason: 'test' };
  }
  async close(): Promise<void> {}
}

const request = (id: unknown, method: string, params: object = {}) => ({ jsonrpc: '2.0', id, method, params });

let server: LineServer;
let upstream: LoopbackUpstream;
let relay: InProcessRelay;
const log = capturingLogger();

async function start(settings: { autoReconnect?: boolean; unreachedRetryMs?: number; maxMessageSize?: number } = {}): Promise<void> {
  upstream = new LoopbackUpstream(server);
  relay = new InProcessRelay({ upstream, logger: log.logger, ...settings });
  await relay.initialize();
  await until(() => server.connections[0]?.received.some((m) => m.method === 'notifications/initialized') ?? false);
}

beforeEach(async () => {
  server = new LineServer();
  await server.start();
  log.lines.length = 0;
});
afterEach(async () => {
  await relay?.end();
  await server.close();
});

test('one connection carries the session: answers by id, server notifications and requests reach the client', async () => {
  await start();
  server.script = (m, conn) => {
    if (m.method !== 'chatty') return false;
    conn.socket.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'hi' } }) + '\n');
    conn.socket.write(JSON.stringify({ jsonrpc: '2.0', id: 's1', method: 'roots/list' }) + '\n');
    conn.socket.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { done: true } }) + '\n');
    return true;
  };
  relay.send(request(1, 'chatty'), request(2, 'plain'));
  expect(await relay.answerTo(1)).toEqual({ jsonrpc: '2.0', id: 1, result: { done: true } });
  expect(await relay.answerTo(2)).toMatchObject({ result: { method: 'plain' } });
  expect(relay.messages.map((m) => m.method).filter(Boolean)).toEqual(['notifications/message', 'roots/list']);
  expect(server.connections).toHaveLength(1);
});

test('a garbage line is dropped and logged; one that reveals a pending id answers that request with SERVER_OUTPUT_INVALID', async () => {
  await start();
  server.script = (m, conn) => {
    if (m.method !== 'garbled') return false;
    conn.socket.write('Starting up... done\n');
    conn.socket.write(`{"jsonrpc":"2.0","id":${m.id},"result":{"cut off\n`);
    return true;
  };
  relay.send(request(7, 'garbled'));
  const answer = await relay.answerTo(7);
  expect(answer.error.data.tag).toBe('MCP_BRIDGE_SERVER_OUTPUT_INVALID');
  expect(log.lines.filter((l) => l.msg === 'dropped a line from the MCP server')).toHaveLength(2);
  relay.send(request(8, 'after'));
  expect(await relay.answerTo(8)).toMatchObject({ result: { method: 'after' } });
});

test('a line over the size limit fails its request with SERVER_MESSAGE_TOO_LARGE and the session goes on', async () => {
  await start({ maxMessageSize: 4096 });
  server.script = (m, conn) => {
    if (m.method !== 'huge') return false;
    conn.socket.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { text: 'x'.repeat(10_000) } }) + '\n');
    return true;
  };
  relay.send(request(3, 'huge'));
  expect((await relay.answerTo(3)).error.data.tag).toBe('MCP_BRIDGE_SERVER_MESSAGE_TOO_LARGE');
  relay.send(request(4, 'small'));
  expect(await relay.answerTo(4)).toMatchObject({ result: { method: 'small' } });
  expect(server.connections).toHaveLength(1);
});

test('a connection lost mid-call: that request MAY_HAVE_RUN, the next one goes on a new connection after the replayed handshake', async () => {
  await start();
  server.script = (m, conn) => {
    if (m.method !== 'crash') return false;
    conn.socket.destroy();
    return true;
  };
  relay.send(request(1, 'crash'));
  expect((await relay.answerTo(1)).error.data.tag).toBe('MCP_BRIDGE_MAY_HAVE_RUN');
  relay.send(request(2, 'after'));
  expect(await relay.answerTo(2)).toMatchObject({ result: { method: 'after' } });
  expect(server.methods(1)).toEqual(['initialize', 'notifications/initialized', 'after']);
  // The replayed initialize is the client's own (same id), and its answer never reached the client twice.
  expect(server.connections[1]!.received[0]!.id).toBe('init');
  expect(relay.messages.filter((m) => m.id === 'init')).toHaveLength(1);
});

test('a session closed while idle is re-dialled on the next message, transparently', async () => {
  await start();
  server.connections[0]!.socket.end();
  await log.logged('the MCP connection ended; the next message opens a new one');
  relay.send(request(1, 'one'), request(2, 'two'), request(3, 'three'));
  for (const id of [1, 2, 3]) expect(await relay.answerTo(id)).toMatchObject({ result: {} });
  expect(server.connections).toHaveLength(2);
  expect(server.methods(1).slice(0, 2)).toEqual(['initialize', 'notifications/initialized']);
});

test('a server that reports another name or version after a re-dial fails with SERVER_CHANGED', async () => {
  await start();
  server.version = '2';
  server.connections[0]!.socket.end();
  await log.logged('the MCP connection ended; the next message opens a new one');
  relay.send(request(1, 'after-upgrade'));
  const answer = await relay.answerTo(1);
  expect(answer.error.data.tag).toBe('MCP_BRIDGE_SERVER_CHANGED');
  expect(answer.error.message).toContain('is now loop 2');
});

test('with --no-auto-reconnect a lost session is not replayed: SESSION_LOST', async () => {
  await start({ autoReconnect: false });
  server.connections[0]!.socket.end();
  await log.logged('the MCP connection ended; the next message opens a new one');
  relay.send(request(1, 'after'));
  expect((await relay.answerTo(1)).error.data.tag).toBe('MCP_BRIDGE_SESSION_LOST');
});

test('a connection closed before a byte: credentials recovered once, resent with back-off, then STREAM_REFUSED', async () => {
  await start({ unreachedRetryMs: 600 });
  server.connections[0]!.socket.end();
  await log.logged('the MCP connection ended; the next message opens a new one');
  server.refuse = 2;
  relay.send(request(1, 'after-refusals'));
  expect(await relay.answerTo(1)).toMatchObject({ result: { method: 'after-refusals' } });
  expect(upstream.recovered).toEqual([{ kind: 'stream-closed' }]);

  server.connections.at(-1)!.socket.end();
  await until(() => log.lines.filter((l) => l.msg === 'the MCP connection ended; the next message opens a new one').length >= 2);
  server.refuse = 1_000;
  relay.send(request(2, 'refused'));
  const answer = await relay.answerTo(2);
  expect(answer.error.data.tag).toBe('MCP_BRIDGE_STREAM_REFUSED');
  expect(answer.error.message).toMatch(/Resent with back-off/);
});

test('an unreachable proxy is retried within the window, then reported as such', async () => {
  await start({ unreachedRetryMs: 400 });
  server.connections[0]!.socket.end();
  await log.logged('the MCP connection ended; the next message opens a new one');
  upstream.unreachable = true;
  relay.send(request(1, 'nowhere'));
  expect((await relay.answerTo(1)).error.data.tag).toBe('MCP_BRIDGE_PROXY_UNREACHABLE');
  upstream.unreachable = false;
  relay.send(request(2, 'back'));
  expect(await relay.answerTo(2)).toMatchObject({ result: { method: 'back' } });
});

test('shutdown ends the connection', async () => {
  await start();
  const ended = once(server.connections[0]!.socket, 'end');
  await relay.end();
  await ended;
});
