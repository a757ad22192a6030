import { createServer } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { createLogger, type Logger } from '../../../src/log/logger';
import { runRelay, type RelayOptions } from '../../../src/mcp/relay';
import { createDirectUpstream } from '../../../src/upstream/direct';
import type { RecoveryVerdict, Upstream, UpstreamFailure, UpstreamTransport } from '../../../src/upstream/types';

/** A loopback port nobody listens on: connecting to it is refused by the kernel. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The real `--url` upstream with two test hooks: it counts recoverFrom() calls (answering `recoverResult`: true for a
 * retry, false for not-mine, or a verdict), and can send
 * the next request through a pool whose connection is refused (a request that never left the bridge).
 */
export class CountingUpstream implements Upstream {
  readonly direct: Upstream;
  recoverCalls: UpstreamFailure[] = [];
  recoverResult: boolean | RecoveryVerdict = true;
  private refusing?: Pool;
  private readonly spent: Pool[] = [];

  constructor(url: string) {
    this.direct = createDirectUpstream({ url: new URL(url), headers: {}, extraCAs: [], insecure: false, logger: createLogger({ level: 'error', format: 'text', sink: () => undefined }) });
  }

  get url(): URL {
    return this.direct.url;
  }
  get cacheKey(): string {
    return this.direct.cacheKey;
  }
  get headers(): Readonly<Record<string, string>> {
    return this.direct.headers;
  }
  get carriesServerRequests(): boolean {
    return true;
  }
  ready(): Promise<void> {
    return this.direct.ready();
  }
  transport(): UpstreamTransport {
    return this.direct.transport();
  }
  openStream(): Promise<Duplex> {
    return this.direct.openStream();
  }

  /** The next dispatcher() connects to a closed port. */
  async refuseNextConnection(): Promise<void> {
    this.refusing = new Pool(`http://127.0.0.1:${await closedPort()}`);
  }

  dispatcher(): Dispatcher {
    const refusing = this.refusing;
    if (!refusing) return this.direct.dispatcher();
    this.refusing = undefined;
    this.spent.push(refusing);
    return refusing;
  }

  async recoverFrom(failure: UpstreamFailure): Promise<RecoveryVerdict> {
    this.recoverCalls.push(failure);
    const result = this.recoverResult;
    if (typeof result !== 'boolean') return result;
    return result ? { action: 'retry', reason: 'test' } : { action: 'not-mine' };
  }

  async close(): Promise<void> {
    await Promise.all([this.direct.close(), ...this.spent.map((pool) => pool.close())]);
  }
}

export interface CapturedLog {
  logger: Logger;
  /** Log lines as JSON objects. */
  lines: any[];
  /** Resolves once a line with this message was logged. */
  logged(msg: string): Promise<void>;
}

/** A debug logger that keeps its lines, for tests that check what the relay decided (e.g. reconnection delays). */
export function capturingLogger(): CapturedLog {
  const lines: any[] = [];
  const waiters: Array<() => void> = [];
  const sink = (line: string) => {
    lines.push(JSON.parse(line));
    waiters.splice(0).forEach((wake) => wake());
  };
  const logged = async (msg: string) => {
    while (!lines.some((l) => l.msg === msg)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { logger: createLogger({ level: 'debug', format: 'json', sink }), lines, logged };
}

/** runRelay in this process with stdin/stdout as PassThrough streams; stdout is parsed message by message. */
export class InProcessRelay {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  readonly messages: any[] = [];
  /** stdout as written, one line per message. */
  readonly lines: string[] = [];
  readonly done: Promise<void>;
  private partial = '';
  private readonly waiters: Array<() => void> = [];

  constructor(options: Omit<RelayOptions, 'input' | 'output' | 'logger'> & { logger?: Logger }) {
    this.output.on('data', (chunk: Buffer) => {
      const parts = (this.partial + chunk.toString()).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.messages.push(...parts.map((line) => JSON.parse(line)));
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.done = runRelay({ logger: capturingLogger().logger, ...options, input: this.input, output: this.output });
  }

  send(...messages: unknown[]): void {
    // One write: messages sent together reach the relay in one chunk, so their requests run concurrently.
    this.input.write(messages.map((m) => JSON.stringify(m) + '\n').join(''));
  }

  async until(predicate: (messages: any[]) => boolean): Promise<any[]> {
    while (!predicate(this.messages)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.messages;
  }

  /** The answer (response or error) to the client's request `id`. */
  async answerTo(id: unknown): Promise<any> {
    const isAnswer = (m: any) => m.id === id && m.method === undefined;
    await this.until((all) => all.some(isAnswer));
    return this.messages.find(isAnswer);
  }

  /** initialize + notifications/initialized, as every client starts. */
  async initialize(): Promise<any> {
    this.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } });
    const answer = await this.answerTo('init');
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return answer;
  }

  /** Ends stdin and waits for the relay to finish shutting down. */
  async end(): Promise<void> {
    this.input.end();
    await this.done;
  }
}

export const call = (id: unknown, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
