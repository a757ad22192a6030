import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import type { CredentialWatcher, Credentials } from '../identity';
import type { Logger } from '../log/logger';
import { RotatingPool, type TlsMaterial } from './rotating-pool';
import type { Upstream, UpstreamFailure } from './types';

export interface DirectUpstreamOptions {
  /** The MCP endpoint, http:// or https://. */
  url: URL;
  /** -H headers, already validated. */
  headers: Record<string, string>;
  /** A started watcher (current() works) whose certificate is presented for mutual TLS, followed across renewals. */
  identity?: CredentialWatcher;
  /** Extra trusted CAs (PEM contents), on top of the system roots. */
  extraCAs: string[];
  insecure: boolean;
  logger: Logger;
}

/** How long a TLS refusal waits for tbot's renewal to land before it is reported. */
const RENEWAL_WAIT_MS = 1_000;

/**
 * `--url` mode: a plain Streamable HTTP server, optionally behind mutual TLS. A new identity generation swaps the
 * client certificate without failing in-flight requests; the server carries server→client requests itself.
 */
export function createDirectUpstream(options: DirectUpstreamOptions): Upstream {
  return new DirectUpstream(options);
}

class DirectUpstream implements Upstream {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly carriesServerRequests = true;
  private readonly pool: RotatingPool;
  private renewalWait?: Promise<boolean>;

  constructor(private readonly options: DirectUpstreamOptions) {
    this.url = options.url;
    this.headers = options.headers;
    const { identity } = options;
    this.pool = new RotatingPool(this.url.origin, this.material(identity?.current()));
    identity?.on('generation', (next) => {
      options.logger.info('client certificate rotated', { generation: next.generation });
      this.pool.rotate(this.material(next));
    });
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

  ready(): Promise<void> {
    return Promise.resolve();
  }

  dispatcher(): Dispatcher {
    return this.pool.dispatcher();
  }

  /** A refused handshake may be a certificate tbot is replacing right now: wait briefly for the new one. */
  recover(failure: UpstreamFailure): Promise<boolean> {
    const { identity } = this.options;
    if (failure.kind !== 'tls' || !identity) return Promise.resolve(false);
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

  close(): Promise<void> {
    return this.pool.close();
  }
}
