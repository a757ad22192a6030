/**
 * The messages between the benchmark driver and its fixture host (a separate process, so the servers' CPU work
 * never shares an event loop with the client being timed).
 */

/** One MCP app as every path reaches it: the same server straight (paths 1, 4–6) and through the cluster (2, 3). */
export interface BenchUpstream {
  /** The Teleport app name, also used as the upstream's label in results. */
  app: string;
  /** http://127.0.0.1:PORT/mcp */
  url: string;
  /** PEMs of an app certificate for this app (path 2's client presents it to the proxy). */
  appCert: { certPem: string; keyPem: string };
}

/** The three kinds of MCP app Teleport serves; the bench serves server-everything as each of them. */
export type AppType = 'streamable-http' | 'stdio' | 'sse';
export const APP_TYPES: readonly AppType[] = ['streamable-http', 'stdio', 'sse'];

export interface FixtureInfo {
  /** '127.0.0.1:PORT' */
  proxyAddr: string;
  /** CA of the proxy's web certificate (the bridge's --ca). */
  publicCaFile: string;
  publicCaPem: string;
  /** tbot's identity output directory (the bridge's -i). */
  identityDir: string;
  upstreams: { everything: BenchUpstream; demo: BenchUpstream };
  /** The Teleport app serving server-everything as each kind of app (path 3 only: stdio and SSE need ALPN teleport-mcp). */
  appTypes: Record<AppType, string>;
  /**
   * SDK v2 servers for the era benchmarks, each also a Teleport app of the same name: `dual` (2026-07-28 plus stateless
   * 2025) and `modern-only` (2026-07-28 alone).
   */
  eraUpstreams: { dual: string; 'modern-only': string };
  /** A temp directory for the peers' own files (mcp-remote's config dir), removed on stop. */
  scratchDir: string;
}

export type HostRequest =
  | { id: number; kind: 'renew' }
  /** Drops the cluster recorder's entries (they grow with every app request). */
  | { id: number; kind: 'clear-recorder' }
  /** How many app certificates the Auth Service issued since the recorder was last cleared. */
  | { id: number; kind: 'count-reissues' }
  | { id: number; kind: 'stop' };

export type HostMessage =
  | { kind: 'ready'; info: FixtureInfo }
  | { kind: 'failed'; message: string }
  | { kind: 'reply'; id: number; generation?: number; count?: number; error?: string };
