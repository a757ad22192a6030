import { entryName, type CacheStore } from '../cache';
import type { Credentials } from '../identity';
import type { Logger } from '../log/logger';
import { transportOfUri, type McpApp } from './apps';
import type { ConnectionUpgrade } from './connection-upgrade';
import type { ProxyPing, WebTrust } from './ping';
import type { ProxyAddress } from './proxy-address';

/**
 * What every start asks the proxy before it can issue (the ping, whether ALPN needs the connection upgrade, the app
 * lookup), kept briefly in the user's cache: per-call spawning then pays it once per few minutes, not per process.
 * Short-lived because the answers can change (an app's address, a load balancer put in front).
 */
const LOOKUP_TTL_MS = 5 * 60_000;

interface ProxyFacts {
  ping: ProxyPing;
  upgradeRequired: boolean;
}

const isString = (v: unknown) => typeof v === 'string';

function isProxyFacts(data: unknown): data is ProxyFacts {
  const d = data as Partial<ProxyFacts> | undefined;
  const p = d?.ping as Record<string, unknown> | undefined;
  return (
    typeof d?.upgradeRequired === 'boolean' &&
    !!p &&
    isString(p.clusterName) &&
    isString(p.serverVersion) &&
    isString(p.signatureAlgorithmSuite) &&
    typeof p.tlsRoutingEnabled === 'boolean' &&
    (p.minClientVersion === undefined || isString(p.minClientVersion)) &&
    (p.webPublicAddr === undefined || isString(p.webPublicAddr))
  );
}

function isApp(data: unknown, name: string): data is McpApp {
  const d = data as Record<string, unknown> | undefined;
  return (
    !!d &&
    d.name === name &&
    ['description', 'uri', 'publicAddr'].every((k) => isString(d[k])) &&
    transportOfUri(d.uri as string) === d.transport &&
    !!d.labels &&
    typeof d.labels === 'object'
  );
}

const appEntry = (proxy: ProxyAddress, appName: string, credentials: Credentials) => entryName('app', [proxy.hostPort, appName, credentials.fingerprint]);

export class LookupCache {
  private readonly logger: Logger;

  constructor(
    private readonly store: CacheStore,
    logger: Logger,
  ) {
    this.logger = logger.child('cache');
  }

  /**
   * The proxy's ping, with the connection-upgrade decision settled on `upgrade` either way. Keyed by the trust it was
   * fetched with too: an answer read without verification (--insecure) never serves a verifying process.
   */
  async proxy(proxy: ProxyAddress, trust: WebTrust, upgrade: ConnectionUpgrade, fetch: () => Promise<ProxyPing>): Promise<ProxyPing> {
    const name = entryName('proxy', [proxy.hostPort, String(trust.insecure), ...trust.extraCAs]);
    const entry = await this.store.read(name);
    if (entry && isProxyFacts(entry.data)) {
      this.logger.debug('proxy ping from the cache', { proxy: proxy.hostPort });
      upgrade.assume(entry.data.upgradeRequired);
      return entry.data.ping;
    }
    const [ping, upgradeRequired] = await Promise.all([fetch(), upgrade.required()]);
    if (upgrade.settled()) await this.store.write(name, { ping, upgradeRequired } satisfies ProxyFacts, new Date(Date.now() + LOOKUP_TTL_MS));
    return ping;
  }

  /** The app lookup, per proxy and identity certificate (what the identity may see decides the answer). */
  async app(proxy: ProxyAddress, appName: string, credentials: Credentials, fetch: () => Promise<McpApp>): Promise<McpApp> {
    const entry = await this.store.read(appEntry(proxy, appName, credentials));
    if (entry && isApp(entry.data, appName)) {
      this.logger.debug('app lookup from the cache', { app: appName });
      return entry.data;
    }
    const app = await fetch();
    await this.rememberApp(proxy, credentials, app);
    return app;
  }

  /** Stores a lookup made outside app() (the app looked up again after a refusal), for the processes that follow. */
  async rememberApp(proxy: ProxyAddress, credentials: Credentials, app: McpApp): Promise<void> {
    await this.store.write(appEntry(proxy, app.name, credentials), app, new Date(Math.min(Date.now() + LOOKUP_TTL_MS, credentials.identity.notAfter.getTime())));
  }
}
