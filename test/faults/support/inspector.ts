/**
 * A minimal Chrome DevTools Protocol client for the bridge under test (started with --inspect=127.0.0.1:0): only
 * what memory measurements need, forcing a full garbage collection before a sample.
 */
import WebSocket from 'ws';

/** Node prints this to stderr when the inspector listens. */
const LISTENING = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/;

/** The inspector's address in a process's stderr output, if it printed it. */
export function inspectorUrlIn(stderr: string): string | undefined {
  return LISTENING.exec(stderr)?.[1];
}

export class InspectorClient {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as { id?: number; error?: { message: string } };
      const waiter = reply.id === undefined ? undefined : this.pending.get(reply.id);
      if (!waiter) return; // events: none are enabled
      this.pending.delete(reply.id!);
      if (reply.error) waiter.reject(new Error(`inspector: ${reply.error.message}`));
      else waiter.resolve();
    });
    ws.on('close', () => this.pending.forEach((w) => w.reject(new Error('inspector connection closed'))));
  }

  static async connect(url: string): Promise<InspectorClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new InspectorClient(ws);
  }

  /**
   * A full, synchronous collection: afterwards the process holds only what is reachable, plus the native memory
   * of what was just freed that the allocator has not returned to the system.
   */
  collectGarbage(): Promise<void> {
    return this.send('HeapProfiler.collectGarbage');
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await closed;
  }

  private send(method: string): Promise<void> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method }));
    });
  }
}
