import type { CacheStore } from '../cache';
import { BridgeError } from '../errors/catalogue';
import type { CredentialWatcher, Credentials, IdentitySource } from '../identity';
import type { Logger } from '../log/logger';
import type { AppCert, AuthClient, McpApp, ProxyAddress, ProxyPing } from '../teleport';

export interface DoctorOptions {
  source: IdentitySource;
  proxy: ProxyAddress;
  /** The MCP app to check end to end; without it doctor stops after the Auth Service. */
  app?: string;
  /** --ca files' PEMs: extra roots for the proxy's web certificate. */
  extraCAs: string[];
  insecure: boolean;
  /** -H headers, sent on the MCP round trip like connect sends them. */
  headers: Record<string, string>;
  logger: Logger;
  /** The certificate cache connect would use (shown, never written); undefined with --no-cache. */
  cache?: CacheStore;
  /** Bound on each network step. */
  timeoutMs?: number;
  now?: () => Date;
}

/** What the steps found, for the steps after them. */
interface Facts {
  watcher: CredentialWatcher;
  credentials: Credentials;
  ping: ProxyPing;
  auth: AuthClient;
  app: McpApp;
  appCert: AppCert;
}

/** The options plus the facts gathered so far; owns what the steps opened and closes it at the end. */
export class DoctorContext {
  private readonly facts: Partial<Facts> = {};

  constructor(readonly options: DoctorOptions) {}

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  set<K extends keyof Facts>(key: K, value: Facts[K]): void {
    this.facts[key] = value;
  }

  /** A fact a step needs; the runner only runs it after the step that records it passed. */
  get<K extends keyof Facts>(key: K): Facts[K] {
    const value = this.facts[key];
    if (value === undefined) throw new BridgeError('INTERNAL', `doctor: a step needs "${key}" before the step that finds it ran.`);
    return value as Facts[K];
  }

  has(key: keyof Facts): boolean {
    return this.facts[key] !== undefined;
  }

  async close(): Promise<void> {
    await Promise.all([this.facts.auth?.close(), this.facts.watcher?.close()]);
  }
}
