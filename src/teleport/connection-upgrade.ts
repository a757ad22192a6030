import type { buildConnector } from 'undici';
import type { Logger } from '../log/logger';
import { connUpgradeOverride } from './conn-upgrade-env';
import { dialTls } from './dialer';
import { DEFAULT_CONNECT_TIMEOUT_MS, type WebTrust } from './ping';
import type { ProxyAddress } from './proxy-address';
import { classifyTlsFailure, failureCode } from '../tls/failure';
import type { ConnectionUpgradeOptions, UpgradeProtocol } from './websocket-upgrade';

/** The probe offers only this; a proxy whose ALPN router is intact negotiates it. */
const PROBE_ALPN = 'teleport-reversetunnel';
/** tsh's bound on the probe. */
const PROBE_TIMEOUT_MS = 5_000;

/** What the probe concluded; `settled` false when the proxy could not be reached (ask again next dial). */
interface ProbeResult {
  required: boolean;
  settled: boolean;
}

/**
 * Whether ALPN survives to the proxy (teleport-wire.md §4, "Behind an L7 load balancer"): a TLS dial offering only
 * `teleport-reversetunnel` that negotiates nothing, is refused with "no application protocol" or gets another
 * protocol means an HTTP-only front terminates TLS; any other failure means no upgrade.
 */
async function probe(proxy: ProxyAddress, trust: WebTrust): Promise<ProbeResult> {
  try {
    const socket = await dialTls({
      target: proxy,
      servername: proxy.servername,
      alpn: [PROBE_ALPN],
      ca: trust.extraCAs,
      rejectUnauthorized: !trust.insecure,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    const negotiated = socket.alpnProtocol;
    socket.destroy();
    return { required: negotiated !== PROBE_ALPN, settled: true };
  } catch (err) {
    const kind = classifyTlsFailure(err);
    if (kind === 'no-alpn') return { required: true, settled: true };
    return { required: false, settled: kind !== 'unreachable' && kind !== 'timeout' };
  }
}

/**
 * Decides once per proxy whether dials need the connection upgrade (TELEPORT_TLS_ROUTING_CONN_UPGRADE first, then
 * the probe) and says how to make them.
 */
export class ConnectionUpgrade {
  private decided?: Promise<ProbeResult>;
  private known?: boolean;

  constructor(
    private readonly proxy: ProxyAddress,
    private readonly trust: WebTrust,
    private readonly logger: Logger,
  ) {}

  async required(): Promise<boolean> {
    const override = connUpgradeOverride(this.proxy.hostPort);
    if (override !== undefined) return override;
    if (!this.decided) {
      const pending = probe(this.proxy, this.trust);
      this.decided = pending;
      const result = await pending;
      if (!result.settled) this.decided = undefined;
      else this.known = result.required;
      if (this.known) this.logger.info('ALPN does not reach the Teleport Proxy (L7 load balancer in front): using the connection upgrade', { proxy: this.proxy.hostPort });
      return result.required;
    }
    return (await this.decided).required;
  }

  /** Takes a decision made earlier (by another process, from the cache) instead of probing. */
  assume(required: boolean): void {
    this.decided = Promise.resolve({ required, settled: true });
    this.known = required;
  }

  /** True once the decision does not depend on a probe that could not reach the proxy: it is worth remembering. */
  settled(): boolean {
    return this.known !== undefined || connUpgradeOverride(this.proxy.hostPort) !== undefined;
  }

  /** The `upgrade` option for dialTls, or undefined when dials go straight to the ALPN router. */
  async forDial(protocol: UpgradeProtocol): Promise<ConnectionUpgradeOptions | undefined> {
    if (!(await this.required())) return undefined;
    return { protocol, servername: this.proxy.servername, ca: this.trust.extraCAs, rejectUnauthorized: !this.trust.insecure };
  }
}

/** The inner TLS of upgraded app traffic: the app certificate, against the proxy's Host-CA-signed certificate. */
export interface UpgradedAppTls {
  certPem: string;
  keyPem: string;
  hostCAPems: string[];
}

/**
 * An undici connector for app traffic through the upgrade: inside it the proxy terminates TLS with its Host CA
 * certificate (SNI = proxy host), so that is what is trusted here, not the web certificate's CA.
 */
export function upgradedAppConnector(proxy: ProxyAddress, upgrade: ConnectionUpgradeOptions, tls: UpgradedAppTls, logger: Logger): buildConnector.connector {
  return (_options, callback) => {
    dialTls({
      target: proxy,
      servername: proxy.servername,
      alpn: ['http/1.1'],
      cert: tls.certPem,
      key: tls.keyPem,
      ca: tls.hostCAPems,
      replaceRoots: true,
      rejectUnauthorized: true,
      timeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      upgrade,
    }).then(
      (socket) => callback(null, socket),
      (err: Error) => {
        logger.debug('upgraded app connection failed', { error: failureCode(err) });
        callback(err, null);
      },
    );
  };
}
