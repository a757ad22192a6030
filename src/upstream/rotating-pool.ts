import type { buildConnector as BuildConnector, Dispatcher, Pool as UndiciPool } from 'undici';
import { proxiedConnector } from '../net/proxied-connector';
import type { ProxyUse } from '../net/proxy-env';
import type { SecureContext } from 'node:tls';
import { secureContextFor } from '../tls/trust';

/*
 * Only the parts of undici the bridge uses: its index also evaluates fetch, cookies, WebSocket, caching… (~30 ms
 * at every start). undici 7 has no exports map, so these paths are stable files of the package. The index adds
 * request() to every Dispatcher; without the index that is done here, with the same function. Loaded with the first
 * pool: a process answered without the server (an era probe from the cache) never needs them.
 */
interface Undici {
  Pool: typeof UndiciPool;
  buildConnector: typeof BuildConnector;
}
let undici: Undici | undefined;
function loadUndici(): Undici {
  if (undici) return undici;
  const DispatcherClass: { prototype: Partial<Dispatcher> } = require('undici/lib/dispatcher/dispatcher');
  DispatcherClass.prototype.request ??= require('undici/lib/api/api-request');
  undici = { Pool: require('undici/lib/dispatcher/pool'), buildConnector: require('undici/lib/core/connect') };
  return undici;
}

/** Idle keep-alive sockets are closed after this long (the server's Keep-Alive hint, minus a margin, when it sends one). */
const IDLE_RETIRE_MS = 20_000;

/** TLS material for one generation of connections. */
export interface TlsMaterial {
  /** Client certificate and key (PEM) for mutual TLS; absent for plain server-auth TLS. */
  cert?: string;
  key?: string;
  /** Extra trusted CAs (PEM). Added to the system roots unless `replaceRoots` is set. */
  ca?: string[];
  /** Trust only `ca` (e.g. a Host CA), not the system roots. */
  replaceRoots?: boolean;
  /** SNI; undefined for IP literals. */
  servername?: string;
  /** Only false behind --insecure. */
  rejectUnauthorized: boolean;
  ALPNProtocols?: string[];
  /** A custom dialer (e.g. the connection upgrade); when absent TCP+TLS, through HTTPS_PROXY when it applies. */
  connect?: BuildConnector.connector;
  /** Which proxy variables apply (src/net/proxy-env.ts); by default the URL's scheme decides. */
  proxyUse?: ProxyUse;
}

/** One generation's connector and what to free once its pool has closed. */
interface ReleasableConnector {
  connect: BuildConnector.connector;
  /** Frees the native TLS context; only after the pool closed, when nothing can dial with it any more. */
  release(): void;
}

/**
 * undici's TCP/TLS connector, built when the first connection is dialed: a secure context costs ~20 ms of start-up
 * (the system roots) and an http:// upstream never needs one.
 */
function tlsConnectorOnFirstDial(material: TlsMaterial): ReleasableConnector {
  let connector: BuildConnector.connector | undefined;
  let context: SecureContext | undefined;
  return {
    connect: (options, callback) => {
      // One secure context per generation, shared by its connections (one per connection cost ~1 MB and ~20 ms).
      if (options.protocol === 'https:') context ??= secureContextFor(material);
      connector ??= loadUndici().buildConnector({
        secureContext: context,
        servername: material.servername,
        rejectUnauthorized: material.rejectUnauthorized,
        ALPNProtocols: material.ALPNProtocols,
      } as BuildConnector.BuildOptions);
      return connector(options, callback);
    },
    // The context's native memory (certificate, key, trust store copy) is invisible to V8, so a retired generation's
    // would wait for a full GC that a small heap seldom needs: free it now. Live TLS sockets hold their own reference
    // to the OpenSSL context, as with Node's single-use contexts, which Node closes the same way.
    release: () => (context?.context as { close?(): void } | undefined)?.close?.(),
  };
}

/** The pool of one TLS material, and what to free once it has closed. */
interface PoolGeneration {
  pool: UndiciPool;
  release(): void;
}

/**
 * A keep-alive connection pool whose TLS material can be swapped without failing requests: `rotate` sends new
 * requests to a fresh pool and lets the old one finish its in-flight requests before closing it.
 */
export class RotatingPool {
  private current: PoolGeneration;
  private readonly draining = new Set<Promise<void>>();

  constructor(
    private readonly origin: string,
    material: TlsMaterial,
  ) {
    this.current = this.build(material);
  }

  private build(material: TlsMaterial): PoolGeneration {
    const tls = material.connect ? undefined : tlsConnectorOnFirstDial(material);
    const connect = material.connect ?? proxiedConnector(tls!.connect, material.proxyUse);
    // No body/headers timeouts: long tool calls and idle SSE streams must not be cut by the bridge. Idle sockets are
    // retired before a server that sends no Keep-Alive hint closes them: Teleport's proxy (Go) does so after 30 s.
    return { pool: new (loadUndici().Pool)(this.origin, { connect, bodyTimeout: 0, headersTimeout: 0, keepAliveTimeout: IDLE_RETIRE_MS }), release: () => tls?.release() };
  }

  dispatcher(): Dispatcher {
    return this.current.pool;
  }

  rotate(material: TlsMaterial): void {
    const old = this.current;
    this.current = this.build(material);
    const closing = old.pool
      .close()
      .catch(() => undefined)
      .then(() => old.release());
    this.draining.add(closing);
    void closing.finally(() => this.draining.delete(closing));
  }

  /** Closes gracefully (in-flight requests finish). */
  async close(): Promise<void> {
    const { pool, release } = this.current;
    await Promise.all([pool.close().catch(() => undefined).then(release), ...this.draining]);
  }

  /** Aborts every connection now (shutdown after the bounded wait). */
  async destroy(): Promise<void> {
    await this.current.pool.destroy().catch(() => undefined);
  }
}
