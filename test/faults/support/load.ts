import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { FaultBed } from './fault-bed';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** A call the bridge never answered within this bound counts as unanswered (the SDK gives up on it). */
const CALL_TIMEOUT_MS = 30_000;

export interface LoadSummary {
  /** Calls answered with the right result. */
  ok: number;
  /** Calls answered with an error, by bridge tag (MCP_BRIDGE_…) or JSON-RPC code. */
  errors: Record<string, number>;
  /** Calls with no answer at all (SDK timeout), or with a wrong result. */
  unanswered: number;
  wrong: number;
}

/** Why a call failed: the bridge's catalogue tag when it answered with one. */
function failureKey(err: unknown): string {
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) return 'UNANSWERED';
    const tag = (err.data as { tag?: unknown } | undefined)?.tag;
    return typeof tag === 'string' ? tag : `code ${err.code}`;
  }
  if (err instanceof Error && /not connected|closed/i.test(err.message)) return 'NOT_CONNECTED';
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Continuous load: `workers` loops on one SDK client, each issuing `echo` calls back to back and checking every
 * answer. pause() lets the connections go idle (no call in flight) for faults that must hit idle connections.
 */
export class Load {
  private readonly summary: LoadSummary = { ok: 0, errors: {}, unanswered: 0, wrong: 0 };
  private running = false;
  private paused?: { resume: Promise<void>; release: () => void };
  private readonly loops: Promise<void>[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private seq = 0;

  constructor(
    private readonly client: Client,
    readonly workers = 4,
  ) {}

  get total(): number {
    return this.summary.ok + this.summary.unanswered + this.summary.wrong + Object.values(this.summary.errors).reduce((a, b) => a + b, 0);
  }

  start(): void {
    this.running = true;
    for (let w = 0; w < this.workers; w++) this.loops.push(this.loop(w));
  }

  /** Stops issuing new calls and resolves once none is in flight. */
  async pause(): Promise<void> {
    if (!this.paused) {
      let release!: () => void;
      const resume = new Promise<void>((r) => (release = r));
      this.paused = { resume, release };
    }
    if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  resume(): void {
    this.paused?.release();
    this.paused = undefined;
  }

  /** Stops the loops, waits for every call to be answered, returns the counts. */
  async stop(): Promise<LoadSummary> {
    this.running = false;
    this.resume();
    await Promise.all(this.loops);
    return this.summary;
  }

  /** Resolves once `calls` more load calls have been answered, so each fault overlaps with traffic. */
  async progress(calls: number): Promise<void> {
    const target = this.total + calls;
    while (this.total < target && this.running && !this.paused) await new Promise((r) => setTimeout(r, 5));
  }

  /** One call outside the load, for "the relay recovers after each fault": resolves with its failure key or 'ok'. */
  async probe(): Promise<string> {
    return this.call(`probe-${this.seq++}`);
  }

  private async loop(worker: number): Promise<void> {
    while (this.running) {
      if (this.paused) {
        await this.paused.resume;
        continue;
      }
      const outcome = await this.tracked(() => this.call(`w${worker}-${this.seq++}`));
      if (outcome === 'NOT_CONNECTED') {
        // The bridge is gone: every further call would fail at once. Count it and stop this loop.
        this.summary.errors[outcome] = (this.summary.errors[outcome] ?? 0) + 1;
        return;
      }
      if (outcome === 'ok') this.summary.ok++;
      else if (outcome === 'UNANSWERED') this.summary.unanswered++;
      else if (outcome === 'WRONG') this.summary.wrong++;
      else this.summary.errors[outcome] = (this.summary.errors[outcome] ?? 0) + 1;
    }
  }

  private async tracked(fn: () => Promise<string>): Promise<string> {
    this.inFlight++;
    try {
      return await fn();
    } finally {
      if (--this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }

  private async call(message: string): Promise<string> {
    try {
      const result = await this.client.callTool({ name: 'echo', arguments: { message } }, undefined, { timeout: CALL_TIMEOUT_MS });
      const content = result.content as { type: string; text?: string }[];
      return content[0]?.text === `Echo: ${message}` ? 'ok' : 'WRONG';
    } catch (err) {
      return failureKey(err);
    }
  }
}

/** One line for the test output: the fault counts and what the load saw. */
export function report(title: string, injected: Record<string, number>, summary: LoadSummary): void {
  const faults = Object.entries(injected).map(([k, v]) => `${k}=${v}`).join(' ');
  // eslint-disable-next-line no-console
  console.log(`${title}: injected ${faults}; calls ok=${summary.ok} errors=${JSON.stringify(summary.errors)} unanswered=${summary.unanswered} wrong=${summary.wrong}`);
}

export interface FaultRun {
  summary: LoadSummary;
  /** What the probe call after each fault (once the load's calls went on) got ('ok' or its failure key). */
  probes: string[];
  /** The bridge's settled RSS after the run minus its settled RSS under the same load before the first fault, in kB. */
  rssGrowthKb: number;
}

/** Calls completed under load before the memory baseline is taken. */
const WARM_UP_CALLS = 200;

/**
 * Runs `count` faults one after another under continuous load, probing with one call after each fault, and
 * measures the bridge's memory around the whole run.
 */
export async function underLoad(bed: FaultBed, count: number, inject: (index: number, load: Load) => Promise<void>): Promise<FaultRun> {
  const load = new Load(bed.bridge.client);
  if ((await load.probe()) !== 'ok') throw new Error(`the bridge does not answer before any fault: ${bed.bridge.stderr().slice(-2000)}`);
  load.start();
  // The baseline is the bridge's steady state under this same load, so the comparison shows what the faults cost,
  // not the heap the load itself needs.
  await load.progress(WARM_UP_CALLS);
  const rssBefore = await bed.bridge.settledRssKb();
  const probes: string[] = [];
  for (let i = 0; i < count; i++) {
    await inject(i, load);
    // The probe follows the calls the fault caught: a call sent in the very instant of a drop can be written onto a
    // connection whose close the bridge has not read yet, and then it may have run (MAY_HAVE_RUN, which the load's
    // own calls are checked for). Recovering means every call after that is served.
    await load.progress(load.workers);
    probes.push(await load.probe());
  }
  const summary = await load.stop();
  return { summary, probes, rssGrowthKb: (await bed.bridge.settledRssKb()) - rssBefore };
}

/** Memory bound for a whole fault run: generous, a leak per fault shows up well above it. */
export const RSS_GROWTH_LIMIT_KB = 40 * 1024;
