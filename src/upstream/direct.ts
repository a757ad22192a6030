import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { asBridgeError, BridgeError, shuttingDownError } from '../errors/catalogue';
import { validityError, type CredentialWatcher, type Credentials } from '../identity';
import type { Logger } from '../log/logger';
import { RotatingPool, type TlsMaterial } from './rotating-pool';
import type { RecoveryVerdict, Upstream, UpstreamFailure, UpstreamTransport } from './types';

export interface DirectUpstreamOptions {
  /** The MCP endpoint, http:// or https://. */
  url: URL;
  /** -H headers, already validated. */
  headers: Record<string, string>;
  /** A watcher (read on first use; its read may fail) whose certificate is presented for mutual TLS, followed across renewals. */
  identity?: CredentialWatcher;
  /** Extra trusted CAs (PEM contents), on top of the system roots. */
  extraCAs: string[];
  insecure: boolean;
  logger: Logger;
  /** Told each failed start-up (identity files not usable; connect says it on stderr). */
  reportStartFailure?: (error: BridgeError) => void;
}

/** How long a TLS refusal waits for tbot's renewal to land before it is reported. */
const RENEWAL_WAIT_MS = 1_000;

/**
 * `--url` mode: a plain Streamable HTTP server, optionally behind mutual TLS. With an identity the pool exists once
 * usable files do: until then ready() reads them again (tbot may have just written) and rejects with why they are not
 * usable, so each request is answered with that error and the first one after tbot writes succeeds. A new identity
 * generation swaps the client certificate without failing in-flight requests; the server carries server→client
 * requests itself.
 */
export function createDirectUpstream(options: DirectUpstreamOptions): Upstream {
  return new DirectUpstream(options);
}

class DirectUpstream implements Upstream {
  readonly url: URL;
  readonly cacheKey: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly carriesServerRequests = true;
  private pool?: RotatingPool;
  private renewalWait?: Promise<boolean>;
  private closed = false;
  private readonly onGeneration = (next: Credentials) => this.generationChanged(next);

  constructor(private readonly options: DirectUpstreamOptions) {
    this.url = options.url;
    this.cacheKey = `url:${options.url.href}`;
    this.headers = options.headers;
    options.identity?.on('generation', this.onGeneration);
  }

  private poolFor(creds?: Credentials): RotatingPool {
    return new RotatingPool(this.url.origin, this.material(creds));
  }

  private material(creds?: Credentials): TlsMaterial {
    const host = this.url.hostname.replace(/^\[|\]$/g, '');
    return {
      cert: creds?.certPem,
      key: creds?.keyPem,
      ca: [...(creds?.caPems ?? []), ...this.options.extraCAs],
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: !this.options.insecure,
    };
  }

  /** The first usable generation creates the pool (it may arrive by the watcher's poll before any request asks). */
  private generationChanged(next: Credentials): void {
    if (!this.pool) {
      // Only usable files make the first pool: from expired ones, ready() would resolve and present them.
      if (!validityError(next)) this.pool = this.poolFor(next);
      return;
    }
    this.options.logger.info('client certificate rotated', { generation: next.generation });
    this.pool.rotate(this.material(next));
  }

  async ready(): Promise<void> {
    const { identity } = this.options;
    if (this.pool) return;
    if (!identity) {
      this.pool = this.poolFor(); // made when first needed: a process answered without the server makes none
      return;
    }
    let creds: Credentials;
    try {
      creds = await identity.acquire();
      const unusable = validityError(creds);
      if (unusable) throw unusable;
    } catch (err) {
      const failure = asBridgeError(err);
      this.options.reportStartFailure?.(failure);
      throw failure;
    }
    // close() may have run while the files were read: a pool made now would never be closed.
    if (this.closed) throw shuttingDownError();
    this.pool ??= this.poolFor(creds);
  }

  /** A --url is a Streamable HTTP endpoint. */
  transport(): UpstreamTransport {
    return 'http';
  }

  dispatcher(): Dispatcher {
    if (!this.pool) throw new BridgeError('INTERNAL', 'dispatcher() called before ready() resolved.');
    return this.pool.dispatcher();
  }

  openStream(): Promise<Duplex> {
    return Promise.reject(new BridgeError('INTERNAL', 'openStream() called on a Streamable HTTP upstream.'));
  }

  async recoverFrom(failure: UpstreamFailure): Promise<RecoveryVerdict> {
    return (await this.renewalArrives(failure)) ? { action: 'retry', reason: 'new client certificate from tbot' } : { action: 'not-mine' };
  }

  /** A refused handshake may be a certificate tbot is replacing right now: wait briefly for the new one. */
  private renewalArrives(failure: UpstreamFailure): Promise<boolean> {
    const { identity } = this.options;
    if (failure.kind !== 'tls' || !identity || !this.pool) return Promise.resolve(false);
    this.renewalWait ??= new Promise<boolean>((resolve) => {
      const done = (renewed: boolean) => {
        clearTimeout(timer);
        identity.off('generation', onGeneration);
        this.renewalWait = undefined;
        resolve(renewed);
      };
      const onGeneration = () => done(true);
      const timer = setTimeout(() => done(false), RENEWAL_WAIT_MS);
      identity.on('generation', onGeneration);
    });
    return this.renewalWait;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.options.identity?.off('generation', this.onGeneration);
    await this.pool?.close();
  }
}
