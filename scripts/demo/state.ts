import type { RenewalSummary } from '../../fixtures/tbot';
import { LatencyStats } from './latency';

/**
 * What the demo has seen so far: the load loop, tbot and the cluster's recorder write here; the view reads it.
 * Notable moments (renewals, app certificates, failures) are also announced to listeners as they happen.
 */

export interface WhoamiClaims {
  user: string;
  roles: string[];
}

export type DemoEventKind = 'renewal' | 'app-cert' | 'failure';

export interface DemoEvent {
  kind: DemoEventKind;
  at: Date;
  text: string;
}

const RECENT_EVENTS = 6;

export class DemoState {
  readonly startedAt = new Date();
  readonly latency = new LatencyStats();
  readonly callsByTool = new Map<string, number>();
  calls = 0;
  failures = 0;
  /** Calls cut short by Ctrl-C (the terminal signals mcp-bridge too): reported, not counted as failures. */
  interrupted = 0;
  /** Identity generations tbot wrote after the first. */
  renewals = 0;
  identity: RenewalSummary | undefined;
  appCertsIssued = 0;
  lastAppCertAt: Date | undefined;
  /**
   * Per app, the app session the proxy saw on the latest forwarded request. Teleport creates one session per app
   * certificate, so a new id here means mcp-bridge's traffic moved to a new certificate.
   */
  /** Serial of the app certificate each app's traffic came with last. */
  readonly appCertSerials = new Map<string, string>();
  whoami: WhoamiClaims | undefined;
  readonly recentEvents: DemoEvent[] = [];
  private readonly listeners: ((event: DemoEvent) => void)[] = [];

  onEvent(listener: (event: DemoEvent) => void): void {
    this.listeners.push(listener);
  }

  identityWritten(summary: RenewalSummary): void {
    if (this.identity) this.renewals++;
    this.identity = summary;
    const serial = shortId(summary.serial);
    this.announce('renewal', summary.generation === 1 ? `tbot wrote identity generation 1, serial ${serial}` : `tbot renewed: generation ${summary.generation}, serial ${serial}`);
  }

  appCertIssued(app: string, at: Date): void {
    this.appCertsIssued++;
    this.lastAppCertAt = at;
    this.announce('app-cert', `cluster issued app cert #${this.appCertsIssued} (${app})`);
  }

  appCertSeen(app: string, serial: string): void {
    if (this.appCertSerials.get(app) === serial) return;
    this.appCertSerials.set(app, serial);
    this.announce('app-cert', `${app} traffic now on app certificate serial ${shortId(serial)}`);
  }

  callSucceeded(tool: string, ms: number): void {
    this.count(tool);
    this.latency.record(ms);
  }

  callFailed(tool: string, error: string): void {
    this.count(tool);
    this.failures++;
    this.announce('failure', `${tool} failed: ${error}`);
  }

  bridgeExited(app: string, logFile: string): void {
    this.failures++;
    this.announce('failure', `mcp-bridge for ${app} exited unexpectedly; see ${logFile}`);
  }

  callInterrupted(): void {
    this.interrupted++;
  }

  private count(tool: string): void {
    this.calls++;
    this.callsByTool.set(tool, (this.callsByTool.get(tool) ?? 0) + 1);
  }

  private announce(kind: DemoEventKind, text: string): void {
    const event = { kind, at: new Date(), text };
    this.recentEvents.push(event);
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
    for (const listener of this.listeners) listener(event);
  }
}

/** Serials and session ids are long hex strings; their first 12 digits tell generations apart. */
export function shortId(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}
