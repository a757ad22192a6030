import { createHash, createHmac, createPrivateKey, timingSafeEqual, X509Certificate } from 'node:crypto';
import { entryName, type CacheEntry, type CacheStore } from '../cache';
import type { Credentials } from '../identity';
import type { Logger } from '../log/logger';
import type { AppCert } from './app-cert';
import { routesToApp } from './app-route';

/**
 * App certificates shared by a user's bridge processes (LangGraph starts one per tool call, Claude Desktop several
 * per entry): one GenerateUserCerts per identity generation and app, not one per process. An entry is keyed by proxy,
 * cluster, app and the identity certificate it was issued from, so a new tbot generation never uses a certificate of
 * the old one; it is used only while it stays valid for a safety margin, never past the identity's NotAfter.
 */
export interface AppCertKey {
  /** The proxy's host:port. */
  proxy: string;
  cluster: string;
  app: string;
  credentials: Credentials;
}

/** An entry's data: the certificate and its key, and what it was issued for. */
interface Stored {
  proxy: string;
  cluster: string;
  app: string;
  user: string;
  /** SHA-256 of the identity certificate it was issued from. */
  identity: string;
  identityNotBefore: string;
  certPem: string;
  keyPem: string;
  /** HMAC of the fields above under a key derived from the identity's private key (see macOf). */
  mac: string;
}

/** What `identity` and `doctor` show about one cached certificate (no key material). */
export interface CachedAppCertInfo {
  proxy: string;
  cluster: string;
  app: string;
  user: string;
  identityFingerprint: string;
  /** The certificate's NotAfter capped at its identity's. */
  validUntil: Date;
}

const KIND = 'app-cert';
/** Not used with less than this left (capped at a third of its lifetime): it would be replaced at once. */
const MARGIN_MS = 5 * 60_000;
/**
 * Racing processes wait this long for the one issuing (an issuance takes well under a second; a waiter that gives up
 * issues for itself, so an unreachable Auth Service does not make processes fail one after another). A lock older
 * than staleMs outlived every bound of an issuance (two Auth Service calls of at most 15 s each).
 */
const LOCK = { timeoutMs: 10_000, staleMs: 60_000 };

const nameOf = (key: AppCertKey) => entryName(KIND, [key.proxy, key.cluster, key.app, key.credentials.fingerprint]);

function isStored(data: unknown): data is Stored {
  if (!data || typeof data !== 'object') return false;
  const d = data as Record<string, unknown>;
  return ['proxy', 'cluster', 'app', 'user', 'identity', 'identityNotBefore', 'certPem', 'keyPem', 'mac'].every((k) => typeof d[k] === 'string');
}

/**
 * Binds an entry to the identity it was issued from: only a holder of that identity's private key (who could ask for
 * an app certificate anyway) can write an entry this accepts, and any change to a field is detected. The key is
 * derived from the private key's PKCS#8 DER, so tbot's directory and its combined identity file agree.
 */
function macOf(fields: Omit<Stored, 'mac'>, credentials: Credentials): string {
  const der = createPrivateKey(credentials.keyPem).export({ type: 'pkcs8', format: 'der' });
  const key = createHash('sha256').update('mcp-bridge app-cert cache\0').update(der).digest();
  const { proxy, cluster, app, user, identity, identityNotBefore, certPem, keyPem } = fields;
  return createHmac('sha256', key).update(JSON.stringify([proxy, cluster, app, user, identity, identityNotBefore, certPem, keyPem])).digest('hex');
}

function macMatches(stored: Stored, credentials: Credentials): boolean {
  const expected = Buffer.from(macOf(stored, credentials), 'hex');
  const given = Buffer.from(stored.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The certificate in `data` if it is one for `key`'s app and identity, whole and usable now; else why not. */
function usable(data: unknown, key: AppCertKey, now: Date): AppCert | string {
  if (!isStored(data)) return 'not an app certificate entry';
  const { identity } = key.credentials;
  if (data.proxy !== key.proxy || data.cluster !== key.cluster || data.app !== key.app || data.identity !== key.credentials.fingerprint) {
    return 'issued for another proxy, cluster, app or identity';
  }
  // The MAC proves this process's identity wrote the entry for this app, right after GenerateUserCerts returned the
  // certificate: its route need not be decoded again. The pair is still checked, which is cheap.
  if (!macMatches(data, key.credentials)) return 'changed since it was written (its MAC does not match)';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(data.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(data.keyPem))) return 'the key does not match the certificate';
  } catch {
    return 'the certificate or key does not parse';
  }
  const notBefore = new Date(cert.validFrom).getTime();
  const notAfter = new Date(cert.validTo).getTime();
  const until = Math.min(notAfter, identity.notAfter.getTime());
  const margin = Math.min(MARGIN_MS, (notAfter - notBefore) / 3);
  if (notBefore > now.getTime()) return 'not valid yet';
  if (until - now.getTime() <= margin) return 'too close to expiry';
  return { certPem: data.certPem, keyPem: data.keyPem, notAfter: new Date(notAfter), origin: 'issued', generation: key.credentials.generation };
}

function infoOf(entry: CacheEntry): CachedAppCertInfo | undefined {
  if (!isStored(entry.data)) return undefined;
  const { proxy, cluster, app, user, identity } = entry.data;
  return { proxy, cluster, app, user, identityFingerprint: identity, validUntil: entry.expiresAt };
}

export class AppCertCache {
  private readonly logger: Logger;

  constructor(
    private readonly store: CacheStore,
    logger: Logger,
  ) {
    this.logger = logger.child('cache');
  }

  /**
   * The cached certificate for `key`, or the one `issue` makes — issued by one process at a time, so processes racing
   * at start-up make one issuance and the rest take it from the cache. `replacing` is the certificate the caller is
   * replacing (refused by the proxy, or about to expire): it is never handed back. A tbot application output is the
   * app certificate itself and is not cached.
   */
  async obtain(key: AppCertKey, issue: () => Promise<AppCert>, replacing?: AppCert): Promise<AppCert> {
    if (routesToApp(key.credentials.identity, key.app)) return issue();
    const name = nameOf(key);
    const cached = await this.lookup(name, key, replacing);
    if (cached) return cached;
    const release = await this.store.lock(name, LOCK);
    try {
      const issuedMeanwhile = release && (await this.lookup(name, key, replacing));
      if (issuedMeanwhile) return issuedMeanwhile;
      const cert = await issue();
      await this.save(name, key, cert);
      return cert;
    } finally {
      await release?.();
    }
  }

  private async lookup(name: string, key: AppCertKey, replacing: AppCert | undefined): Promise<AppCert | undefined> {
    const entry = await this.store.read(name);
    if (!entry) return undefined;
    const cert = usable(entry.data, key, new Date());
    if (typeof cert === 'string') {
      this.logger.debug('not using the cached app certificate', { app: key.app, reason: cert });
      return undefined;
    }
    if (cert.certPem === replacing?.certPem) return undefined;
    this.logger.info('app certificate from the cache', { app: key.app, generation: cert.generation, notAfter: cert.notAfter.toISOString() });
    return cert;
  }

  private async save(name: string, key: AppCertKey, cert: AppCert): Promise<void> {
    const { credentials } = key;
    const fields: Omit<Stored, 'mac'> = {
      proxy: key.proxy,
      cluster: key.cluster,
      app: key.app,
      user: credentials.identity.username,
      identity: credentials.fingerprint,
      identityNotBefore: credentials.identity.notBefore.toISOString(),
      certPem: cert.certPem,
      keyPem: cert.keyPem,
    };
    const stored: Stored = { ...fields, mac: macOf(fields, credentials) };
    // Never kept past the identity it came from, whatever NotAfter the cluster gave the certificate.
    const until = new Date(Math.min(cert.notAfter.getTime(), credentials.identity.notAfter.getTime()));
    if (!(await this.store.write(name, stored, until))) return;
    await this.forgetReplaced(stored);
    void this.store.sweep();
  }

  /** Entries of earlier generations of the same identity for the same app: tbot replaced them, so they go. */
  private async forgetReplaced(current: Stored): Promise<void> {
    for (const entry of await this.store.list(KIND)) {
      const old = entry.data;
      if (!isStored(old) || old.identity === current.identity) continue;
      const same = old.proxy === current.proxy && old.cluster === current.cluster && old.app === current.app && old.user === current.user;
      // Certificate times have one-second precision: a renewal within the same second still replaces.
      if (same && old.identityNotBefore <= current.identityNotBefore) await this.store.remove(entry.name);
    }
  }
}

/** The cached app certificates (no keys), optionally only those issued from the identity with `fingerprint`. */
export async function listCachedAppCerts(store: CacheStore, fingerprint?: string): Promise<CachedAppCertInfo[]> {
  const infos = (await store.list(KIND)).map(infoOf).filter((i): i is CachedAppCertInfo => i !== undefined);
  return infos.filter((i) => fingerprint === undefined || i.identityFingerprint === fingerprint).sort((a, b) => a.app.localeCompare(b.app));
}

/** The cache as `identity` and `doctor` show it: where, whether it is used, and the certificates for one identity. */
export interface AppCertCacheSummary {
  /** undefined with --no-cache. */
  dir?: string;
  state: 'off' | 'in use' | 'empty' | 'refused';
  /** Why it is refused. */
  reason?: string;
  appCerts: { app: string; proxy: string; cluster: string; validUntil: string; secondsLeft: number }[];
  /** One line for people. */
  text: string;
}

export async function summarizeAppCertCache(store: CacheStore | undefined, fingerprint: string, now: Date): Promise<AppCertCacheSummary> {
  if (!store) return { state: 'off', appCerts: [], text: 'off (--no-cache): every process gets its own app certificate' };
  const status = await store.status();
  if (!status.usable) {
    return status.absent
      ? { dir: store.dir, state: 'empty', appCerts: [], text: `${store.dir}: nothing cached yet (created by the first connect)` }
      : { dir: store.dir, state: 'refused', reason: status.reason, appCerts: [], text: `${store.dir}: NOT USED, ${status.reason}` };
  }
  const appCerts = (await listCachedAppCerts(store, fingerprint)).map((c) => ({
    app: c.app,
    proxy: c.proxy,
    cluster: c.cluster,
    validUntil: c.validUntil.toISOString(),
    secondsLeft: Math.floor((c.validUntil.getTime() - now.getTime()) / 1000),
  }));
  const listed = appCerts.map((c) => `"${c.app}" via ${c.proxy} until ${c.validUntil}`).join('; ');
  return { dir: store.dir, state: 'in use', appCerts, text: `${store.dir}: ${listed ? `app certificates of this identity: ${listed}` : 'no app certificate of this identity yet'}` };
}
