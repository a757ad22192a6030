import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { CacheStore } from '../cache';
import { asBridgeError, BridgeError, shuttingDownError } from '../errors/catalogue';
import { validityError, type CredentialWatcher, type Credentials } from '../identity';
import type { Logger } from '../log/logger';
import { RotatingPool, type TlsMaterial } from '../upstream/rotating-pool';
import type { RecoveryVerdict, Upstream, UpstreamFailure, UpstreamTransport } from '../upstream/types';
import type { AppCert } from './app-cert';
import { AppCertCache } from './app-cert-cache';
import { AppSessionRecovery, type ProbeOutcome } from './app-session-recovery';
import { describeAnswerLimits } from './sse-line-limits';
import { findMcpApp, type McpApp } from './apps';
import type { AuthClient } from './auth-client';
import { ConnectionUpgrade, upgradedAppConnector } from './connection-upgrade';
import { LookupCache } from './lookup-cache';
import { pingProxy, type ProxyPing, type WebTrust } from './ping';
import { parseProxyAddress, type ProxyAddress } from './proxy-address';
import { classifyTlsFailure } from '../tls/failure';
import { dialMcpStream } from './stream-dialer';
import type { ConnectionUpgradeOptions } from './websocket-upgrade';

export interface TeleportUpstreamOptions {
  /** --proxy: the Teleport web address, host[:port]. */
  proxy: string;
  /** The MCP app's name in Teleport. */
  app: string;
  /** tbot's identity, followed across renewals: read on first use (its read may fail), or after start(). */
  identity: CredentialWatcher;
  /** --ca files' PEMs: extra roots for the proxy's web certificate. */
  extraCAs: string[];
  /** --insecure: skip verification of the proxy's web certificate (never of the Auth Service). */
  insecure: boolean;
  /** -H headers, already validated. */
  headers: Record<string, string>;
  logger: Logger;
  /** The user's cache, shared with the other bridge processes: app certificates, ping and app lookup. */
  cache?: CacheStore;
  /** Told each failed start-up (connect says it on stderr). */
  reportStartFailure?: (error: BridgeError) => void;
}

/** How long before an issued app certificate's NotAfter it is replaced (capped at a third of its lifetime). */
const RENEW_LEAD_MS = 5 * 60_000;
/** Retry delay after a background renewal failed while the current certificate is still valid. */
const RENEW_RETRY_MS = 30_000;
/** setTimeout's limit (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Bound on the OPTIONS probe that asks the proxy whether it accepts the app certificate in use. */
const PROBE_TIMEOUT_MS = 10_000;

/** Everything learned at start-up that stays fixed for the process. */
interface Target {
  ping: ProxyPing;
  app: McpApp;
}

/**
 * The upstream for `mcp-bridge connect <app>` through Teleport: app traffic goes to https://<proxy>/ with the app
 * certificate (the proxy routes it by the certificate's app session). Credentials follow tbot: each new identity
 * generation gets a new app certificate before the old one is needed, then the pool rotates (requests in flight
 * finish on the old connections).
 */
export function createTeleportUpstream(options: TeleportUpstreamOptions): Upstream {
  return new TeleportUpstream(options);
}

class TeleportUpstream implements Upstream {
  readonly url: URL;
  readonly cacheKey: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly carriesServerRequests = false;

  private readonly proxy: ProxyAddress;
  private readonly logger: Logger;
  private starting?: Promise<void>;
  private startFailed = false;
  /** The start-up's app certificate, while it is being looked up or issued (close() lets it land in the cache). */
  private issuing?: Promise<unknown>;
  private target?: Target;
  private pool?: RotatingPool;
  private cert?: AppCert;
  private auth?: { client: AuthClient; generation: number };
  /** Behind an L7 load balancer every dial goes through the proxy's connection upgrade. */
  private readonly upgrade: ConnectionUpgrade;
  private readonly certCache?: AppCertCache;
  private readonly lookups?: LookupCache;
  private appUpgrade?: ConnectionUpgradeOptions;
  /** The one renewal in progress; concurrent recoveries and events share it. `forced` reissues whatever the generation. */
  private renewing?: { done: Promise<boolean>; forced: boolean };
  private renewTimer?: NodeJS.Timeout;
  private cappedWarnedFor?: number;
  private closed = false;
  private readonly onGeneration = (creds: Credentials) => this.generationChanged(creds);
  private readonly sessionRecovery: AppSessionRecovery;

  constructor(private readonly options: TeleportUpstreamOptions) {
    this.proxy = parseProxyAddress(options.proxy);
    this.url = new URL(`https://${this.proxy.hostPort}/`);
    this.cacheKey = `teleport:${this.proxy.hostPort}/${options.app}`;
    this.headers = options.headers;
    this.logger = options.logger.child('teleport');
    this.upgrade = new ConnectionUpgrade(this.proxy, { extraCAs: options.extraCAs, insecure: options.insecure }, this.logger);
    if (options.cache) {
      this.certCache = new AppCertCache(options.cache, this.logger);
      this.lookups = new LookupCache(options.cache, this.logger);
    }
    options.identity.on('generation', this.onGeneration);
    this.sessionRecovery = new AppSessionRecovery({
      appName: options.app,
      probe: () => this.probe(),
      reissue: () => this.renew('refused by the proxy', true),
      relookup: () => this.relookup(),
      logger: this.logger,
    });
  }

  /**
   * The start-up (identity, ping, app lookup, app certificate) runs on the first call: nothing is read or asked of the
   * proxy before a request needs the app, so a process answered without it (an era probe, from the era cache) does
   * none. A failed start is retried on the next call: a proxy that was down at launch must not need a restart.
   */
  ready(): Promise<void> {
    if (this.closed && !this.starting) return Promise.reject(shuttingDownError());
    if (!this.starting || (this.startFailed && !this.closed)) {
      this.startFailed = false;
      this.starting = this.start();
    }
    return this.starting;
  }

  transport(): UpstreamTransport {
    if (!this.target) throw new BridgeError('INTERNAL', 'transport() called before ready() resolved.');
    return this.target.app.transport === 'streamable-http' ? 'http' : 'stream';
  }

  dispatcher(): Dispatcher {
    if (!this.pool) throw new BridgeError('INTERNAL', 'dispatcher() called before ready() resolved.');
    return this.pool.dispatcher();
  }

  /** A new teleport-mcp connection with the newest app certificate (a renewal under way is waited for). */
  async openStream(): Promise<Duplex> {
    await this.ready();
    if (this.transport() !== 'stream') throw new BridgeError('INTERNAL', 'openStream() called for a Streamable HTTP app.');
    await this.renewing?.done.catch(() => undefined);
    const cert = this.cert!;
    return dialMcpStream({
      proxy: this.proxy,
      cert,
      trust: { extraCAs: this.options.extraCAs, insecure: this.options.insecure },
      upgrade: this.appUpgrade,
      hostCAPems: this.options.identity.current().caPems,
      logger: this.logger,
    });
  }

  /** Teleport's App Service loses SSE lines over its limit and JSON answers over 10 MiB (teleport-wire.md §6). */
  get answerLimits(): string {
    return describeAnswerLimits(this.target?.ping.serverVersion ?? '');
  }

  /**
   * A refused handshake gets a new certificate; an app session the proxy does not serve (403 whatever the body, or a
   * bare 500) goes through AppSessionRecovery: probe, at most one reissue per episode, the app looked up again.
   */
  async recoverFrom(failure: UpstreamFailure): Promise<RecoveryVerdict> {
    if (!this.pool || this.closed) return { action: 'not-mine' };
    if (failure.kind === 'status') return this.sessionRecovery.recover(failure);
    // A stream the proxy closed without a byte is how it refuses an app session on stdio/SSE apps.
    const kind = failure.kind === 'stream-closed' ? 'stream closed without a byte' : classifyTlsFailure(failure.error);
    if (kind !== 'stream closed without a byte' && kind !== 'client-cert-expired' && kind !== 'client-cert-rejected') return { action: 'not-mine' };
    this.logger.info('the proxy refused the app certificate; issuing a new one', { reason: kind });
    return (await this.renew('refused by the proxy', true)) ? { action: 'retry', reason: 'new app certificate' } : { action: 'not-mine' };
  }

  /** OPTIONS / with the certificate in use: no effect anywhere (the App Service answers 405), only the proxy's verdict. */
  private async probe(): Promise<ProbeOutcome> {
    try {
      const res = await this.pool!.dispatcher().request({
        origin: this.url.origin,
        path: '/',
        method: 'OPTIONS',
        headers: { ...this.headers },
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await res.body.dump().catch(() => undefined);
      if (res.statusCode === 403) return 'refused';
      if (res.statusCode === 500 && res.headers['x-teleport-mcp-error-origin'] === undefined) return 'app-service-down';
      return 'accepted';
    } catch {
      return 'unknown';
    }
  }

  /** The app looked up again (its public address may have changed since start); true when the route changed. */
  private async relookup(): Promise<boolean> {
    const target = this.target!;
    const creds = this.options.identity.current();
    const app = await findMcpApp(await this.authFor(creds), this.options.app);
    if (app.publicAddr === target.app.publicAddr) return false;
    this.logger.info("the app's public address changed; following it", { app: app.name, from: target.app.publicAddr, to: app.publicAddr });
    this.target = { ...target, app };
    await this.lookups?.rememberApp(this.proxy, creds, app); // the next processes start with the new address
    return true;
  }

  /**
   * A start-up still under way is not waited for: nobody wants its answer any more (a probe process, a client that
   * left). An app certificate it is issuing is, like a renewal: stored, it spares the next process a reissue (the
   * relay bounds the wait; cache writes are atomic, so one cut short leaves no half-written entry).
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.renewTimer);
    this.options.identity.off('generation', this.onGeneration);
    await Promise.all([this.issuing?.catch(() => undefined), this.renewing?.done.catch(() => undefined)]);
    await Promise.all([this.pool?.close(), this.auth?.client.close()]);
  }

  private async start(): Promise<void> {
    try {
      // Ping and identity → app lookup are independent: run them together to shorten start-up.
      const [ping, found] = await Promise.allSettled([this.pingProxy(), this.findApp()]);
      if (ping.status === 'rejected') throw ping.reason;
      if (found.status === 'rejected') throw found.reason;
      const { creds, app } = found.value;
      this.target = { ping: ping.value, app };
      this.logger.info('found MCP app', { app: app.name, transport: app.transport, cluster: ping.value.clusterName, proxyVersion: ping.value.serverVersion });
      this.appUpgrade = await this.upgrade.forDial('alpn');
      if (this.closed) throw shuttingDownError();
      const issuing = this.issue(creds);
      this.issuing = issuing;
      const cert = await issuing.finally(() => (this.issuing = undefined));
      if (this.closed) throw shuttingDownError();
      this.install(cert);
      // A renewal that arrived while starting was ignored: catch up.
      if (this.options.identity.current().generation !== cert.generation) void this.renewInBackground('new identity generation', false);
    } catch (err) {
      this.startFailed = true;
      // Cut short by close(): what failed then (an Auth Service client closed under it) is no start-up failure.
      const failure = this.closed ? shuttingDownError() : asBridgeError(err);
      if (!this.closed) this.options.reportStartFailure?.(failure);
      throw failure;
    }
  }

  /** The ping (with the connection-upgrade decision), from the cache when another process asked a moment ago. */
  private pingProxy(): Promise<ProxyPing> {
    const trust: WebTrust = { extraCAs: this.options.extraCAs, insecure: this.options.insecure };
    const ping = () => pingProxy(this.proxy, trust);
    return this.lookups ? this.lookups.proxy(this.proxy, trust, this.upgrade, ping) : ping();
  }

  /** The identity (read again now when tbot had not written a usable one yet), then the app it may use. */
  private async findApp(): Promise<{ creds: Credentials; app: McpApp }> {
    const creds = await this.options.identity.acquire();
    // An expired identity would only fail the lookup's handshake: name the real problem instead.
    const unusable = validityError(creds);
    if (unusable) throw unusable;
    const find = async () => findMcpApp(await this.authFor(creds), this.options.app);
    return { creds, app: await (this.lookups ? this.lookups.app(this.proxy, this.options.app, creds, find) : find()) };
  }

  /**
   * One Auth Service client per identity generation: a new generation must be used before the old expires. Its code
   * (protobufjs, the message descriptors) is loaded on first use: a start served from the cache never needs it.
   */
  private async authFor(creds: Credentials): Promise<AuthClient> {
    const { authClientForIdentity } = await import('./auth-client');
    if (this.closed) throw shuttingDownError(); // a client made now would never be closed
    if (this.auth?.generation === creds.generation) return this.auth.client;
    const previous = this.auth?.client;
    const client = authClientForIdentity(this.proxy, creds, this.logger, undefined, this.upgrade);
    this.auth = { client, generation: creds.generation };
    void previous?.close();
    return client;
  }

  private issue(creds: Credentials): Promise<AppCert> {
    const target = this.target!;
    const unusable = validityError(creds);
    if (unusable) return Promise.reject(unusable);
    const request = async () =>
      (await import('./app-cert')).obtainAppCert({
        auth: await this.authFor(creds),
        credentials: creds,
        app: target.app,
        clusterName: target.ping.clusterName,
        signatureAlgorithmSuite: target.ping.signatureAlgorithmSuite,
        logger: this.logger,
      });
    if (!this.certCache) return request();
    // The certificate in use is being replaced (refused, or about to expire): the cache must not hand it back.
    return this.certCache.obtain({ proxy: this.proxy.hostPort, cluster: target.ping.clusterName, app: target.app.name, credentials: creds }, request, this.cert);
  }

  private material(cert: AppCert): TlsMaterial {
    if (this.appUpgrade) {
      // Inside the upgrade the proxy terminates app TLS with its Host CA certificate (teleport-wire.md §4).
      const hostCAPems = this.options.identity.current().caPems;
      return { rejectUnauthorized: true, connect: upgradedAppConnector(this.proxy, this.appUpgrade, { certPem: cert.certPem, keyPem: cert.keyPem, hostCAPems }, this.logger) };
    }
    return {
      cert: cert.certPem,
      key: cert.keyPem,
      ca: this.options.extraCAs,
      servername: this.proxy.servername,
      rejectUnauthorized: !this.options.insecure,
      ALPNProtocols: ['http/1.1'],
      proxyUse: 'dial', // tsh dials the proxy as host:port: HTTPS_PROXY, then HTTP_PROXY
    };
  }

  private install(cert: AppCert): void {
    this.cert = cert;
    this.logger.info('app certificate in use', { origin: cert.origin, generation: cert.generation, notAfter: cert.notAfter.toISOString() });
    if (this.pool) this.pool.rotate(this.material(cert));
    else this.pool = new RotatingPool(this.url.origin, this.material(cert));
    this.scheduleRenewal(cert);
  }

  /**
   * Gets a new app certificate and rotates the pool; resolves true when one was installed. Without `force` only a
   * new identity generation is worth a certificate; with it (proxy refusal, NotAfter ahead) the current generation
   * is reissued too. Callers share one renewal; a generation that lands during it is picked up before it resolves.
   * A refusal cannot trust a renewal that was not forced: its certificate's app session may have been created before
   * the one that ended (e.g. a new generation racing a session expiry), so a forced renewal follows it.
   */
  private renew(reason: string, force: boolean): Promise<boolean> {
    if (this.renewing) {
      const joined = this.renewing;
      if (!force || joined.forced) return joined.done;
      return joined.done.catch(() => false).then(() => this.renew(reason, true));
    }
    const run = async (): Promise<boolean> => {
      let installed = false;
      for (;;) {
        const creds = this.options.identity.current();
        const current = this.cert!;
        // tbot's application output is the app certificate itself: only a new generation replaces it.
        if (creds.generation === current.generation && (installed || !force || current.origin === 'identity')) return installed;
        this.logger.debug('renewing the app certificate', { reason, generation: creds.generation });
        const cert = await this.issue(creds);
        if (this.closed) return installed;
        this.install(cert);
        installed = true;
      }
    };
    const renewing = {
      forced: force,
      done: run().finally(() => {
        if (this.renewing === renewing) this.renewing = undefined;
      }),
    };
    this.renewing = renewing;
    return renewing.done;
  }

  /** Renewals nobody waits for: failures are logged and retried while the current certificate lasts. */
  private async renewInBackground(reason: string, force: boolean): Promise<void> {
    try {
      await this.renew(reason, force);
    } catch (err) {
      if (this.closed) return;
      const left = (this.cert?.notAfter.getTime() ?? 0) - Date.now();
      this.logger.warn(`could not renew the app certificate (${reason}); the current one stays in use`, {
        error: err instanceof Error ? err.message : String(err),
        validForMs: Math.max(0, left),
      });
      if (left > RENEW_RETRY_MS) this.arm(RENEW_RETRY_MS, () => void this.renewInBackground(reason, force));
    }
  }

  private generationChanged(creds: Credentials): void {
    if (this.closed || !this.cert) return; // before start completes: start() catches up itself
    this.logger.info('new identity generation; renewing the app certificate ahead of need', { generation: creds.generation });
    void this.renewInBackground('new identity generation', false);
  }

  private arm(delayMs: number, fn: () => void): void {
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(fn, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
    this.renewTimer.unref(); // renewal alone is no reason to keep the process alive
  }

  /**
   * Issued certificates are replaced ahead of their NotAfter. One capped at the identity's NotAfter cannot be
   * extended until tbot renews the identity: then say so, once, and let the next generation do the renewal.
   */
  private scheduleRenewal(cert: AppCert): void {
    clearTimeout(this.renewTimer);
    if (cert.origin === 'identity') return;
    const lifetime = cert.notAfter.getTime() - Date.now();
    const lead = Math.min(RENEW_LEAD_MS, Math.max(lifetime, 0) / 3);
    this.arm(lifetime - lead, () => {
      const identity = this.options.identity.current();
      if (identity.generation === cert.generation && cert.notAfter.getTime() >= identity.identity.notAfter.getTime() - 1000) {
        if (this.cappedWarnedFor !== cert.generation) {
          this.cappedWarnedFor = cert.generation;
          this.logger.warn(
            `the app certificate for "${this.target!.app.name}" ends with the identity at ${cert.notAfter.toISOString()} and tbot has not renewed the identity; requests will fail after that until tbot writes a new one (it is picked up without a restart).`,
          );
        }
        return;
      }
      void this.renewInBackground('app certificate about to expire', true);
    });
  }
}
