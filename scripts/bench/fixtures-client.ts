import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FixtureInfo, HostMessage, HostRequest } from './fixture-protocol';

const START_TIMEOUT_MS = 60_000;
const REPO_ROOT = join(__dirname, '../..');

/** The driver's handle on the fixture host process. */
export interface Fixtures {
  readonly info: FixtureInfo;
  /** tbot renews now; resolves with the new generation once every file is written. */
  renew(): Promise<number>;
  clearRecorder(): Promise<void>;
  /** App certificates issued since the recorder was last cleared. */
  countReissues(): Promise<number>;
  /** Stops every server and waits for the host to exit. */
  stop(): Promise<void>;
}

type Request = Omit<HostRequest, 'id'>;

class FixtureHost implements Fixtures {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: HostMessage & { kind: 'reply' }) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly info: FixtureInfo,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: HostMessage) => {
      if (message.kind !== 'reply') return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`fixture host: ${message.error}`));
      else waiter?.resolve(message);
    });
    child.once('exit', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('fixture host exited'));
      this.pending.clear();
    });
  }

  private request(request: Request): Promise<HostMessage & { kind: 'reply' }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id } as HostRequest);
    });
  }

  async renew(): Promise<number> {
    return (await this.request({ kind: 'renew' })).generation ?? 0;
  }

  async clearRecorder(): Promise<void> {
    await this.request({ kind: 'clear-recorder' });
  }

  async countReissues(): Promise<number> {
    return (await this.request({ kind: 'count-reissues' })).count ?? 0;
  }

  async stop(): Promise<void> {
    if (this.child.connected) {
      await this.request({ kind: 'stop' });
      this.child.disconnect();
    }
    await this.exited;
  }
}

/** Forks the fixture host (under tsx, like the driver) and resolves once every server is listening. */
export function startFixtures(): Promise<Fixtures> {
  const child = fork(join(__dirname, 'fixture-host.ts'), [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture host did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const onMessage = (message: HostMessage) => {
      if (message.kind === 'reply') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (message.kind === 'ready') return resolve(new FixtureHost(child, message.info));
      child.disconnect();
      reject(new Error(`fixture host failed to start: ${message.message}`));
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`fixture host exited (${code}) before it was ready`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
