import { connect as connectHttp2, constants as h2, type ClientHttp2Session } from 'node:http2';
import { BridgeError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import type { Credentials } from '../identity';
import type { ConnectionUpgrade } from './connection-upgrade';
import { dialTls } from './dialer';
import { encodeGrpcFrame, GrpcCode, GrpcFrameDecoder, grpcStatusOf, type GrpcStatus } from './grpc-frame';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './ping';
import {
  AUTH_METHODS,
  type Certs,
  type IsMFARequiredRequest,
  type IsMFARequiredResponse,
  type ListResourcesRequest,
  type ListResourcesResponse,
  type UnaryMethod,
  type UserCertsRequest,
} from './proto/messages';
import type { ProxyAddress } from './proxy-address';
import { classifyTlsFailure, failureCode } from '../tls/failure';

/** The identity that talks to the Auth Service: its TLS client certificate and the Host CA that signs the server. */
export interface AuthCredentials {
  certPem: string;
  keyPem: string;
  /** Host CA certificates (several during a CA rotation); the only roots trusted for the Auth Service. */
  hostCAPems: string[];
}

export interface AuthClientOptions {
  proxy: ProxyAddress;
  clusterName: string;
  credentials: AuthCredentials;
  logger: Logger;
  /** Bound on dialing and on each call (Auth Service calls are short). */
  timeoutMs?: number;
  /** Behind an L7 load balancer, dials go through the proxy's connection upgrade (`alpn-ping`). */
  upgrade?: ConnectionUpgrade;
  /** How long an HTTP/2 ping may go unanswered before the connection is declared dead and replaced. */
  pingTimeoutMs?: number;
}

/** A connection that answers no ping for this long is dead (a peer gone silent: no reset, no FIN, nothing). */
const DEFAULT_PING_TIMEOUT_MS = 5_000;

/** The Auth Service's in-cluster name; tsh prefixes the hex cluster name so the server picks that cluster's CAs. */
function authServerName(clusterName: string): string {
  return `${Buffer.from(clusterName, 'utf8').toString('hex')}.teleport.cluster.local`;
}

/** The ALPN protocol the proxy's router passes through, raw, to the Auth Service; it must come first. */
export function authAlpn(clusterName: string): string[] {
  return [`teleport-auth@${authServerName(clusterName)}`, 'h2'];
}

/** Turns a gRPC error status into the catalogue; Teleport's texts are stable (trace.AccessDenied messages). */
function grpcStatusError(method: string, status: GrpcStatus): BridgeError {
  const text = status.message || `gRPC status ${status.code}`;
  const detail = `Auth Service ${method}: ${text}`;
  const data = { grpcStatus: status.code };
  if (status.code === GrpcCode.PERMISSION_DENIED || status.code === GrpcCode.UNAUTHENTICATED) {
    if (/reissue/i.test(text)) return new BridgeError('REISSUE_DENIED', `${detail}.`, { data });
    if (/expired/i.test(text)) return new BridgeError('IDENTITY_EXPIRED', `${detail}.`, { data });
    return new BridgeError('ACCESS_DENIED', `${detail}.`, { data });
  }
  if (status.code === GrpcCode.UNAVAILABLE || status.code === GrpcCode.DEADLINE_EXCEEDED) {
    return new BridgeError('AUTH_UNREACHABLE', `${detail}.`, { data });
  }
  return new BridgeError('AUTH_ERROR', `${detail}.`, { data });
}

/**
 * gRPC client for proto.AuthService through the proxy's TLS router: mutual TLS with the identity (User CA signed)
 * against the Auth Service's Host-CA-signed certificate, HTTP/2, unary calls only. One HTTP/2 connection is opened
 * on first use and reused; it is re-dialed after it drops. Every call sends an HTTP/2 ping beside it: a connection
 * that stopped answering without a reset (a NAT or firewall that forgot it, a frozen peer) is dropped when the ping
 * times out, and the call is made once more on a new connection.
 */
export class AuthClient {
  private session: Promise<ClientHttp2Session> | undefined;
  private readonly timeoutMs: number;
  private readonly pingTimeoutMs: number;
  /** Sessions dropped because a ping went unanswered: calls that failed on them are retried. */
  private readonly silent = new WeakSet<ClientHttp2Session>();
  private closed = false;
  /** Dials not finished yet. */
  private readonly dialing = new WeakSet<Promise<ClientHttp2Session>>();

  constructor(private readonly options: AuthClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  }

  listResources(request: ListResourcesRequest): Promise<ListResourcesResponse> {
    return this.call(AUTH_METHODS.ListResources, request);
  }

  isMFARequired(request: IsMFARequiredRequest): Promise<IsMFARequiredResponse> {
    return this.call(AUTH_METHODS.IsMFARequired, request);
  }

  generateUserCerts(request: UserCertsRequest): Promise<Certs> {
    return this.call(AUTH_METHODS.GenerateUserCerts, request);
  }

  /**
   * Closes the connection; calls in flight finish first. One still being dialed is not waited for (a proxy that never
   * answers would hold the caller until the dial's timeout): it is closed once it is up.
   */
  async close(): Promise<void> {
    this.closed = true;
    const pending = this.session;
    this.session = undefined;
    const closeSession = (session: ClientHttp2Session | undefined) =>
      session && !session.destroyed ? new Promise<void>((resolve) => session.close(resolve)) : undefined;
    if (pending && this.dialing.has(pending)) return void pending.then(closeSession, () => undefined);
    await closeSession(await pending?.catch(() => undefined));
  }

  private where(): string {
    return `the Auth Service of cluster "${this.options.clusterName}" via ${this.options.proxy.hostPort}`;
  }

  private dialError(err: unknown): BridgeError {
    if (err instanceof BridgeError) return err; // already named (HTTP proxy, connection upgrade)
    switch (classifyTlsFailure(err)) {
      case 'server-untrusted':
        return new BridgeError(
          'TLS_VERIFY_FAILED',
          `The certificate presented for ${this.where()} is not signed by the identity's Host CA (${failureCode(err)}): the identity belongs to another cluster, or the proxy did not route the connection to the Auth Service (TLS routing disabled).`,
          { cause: err },
        );
      case 'client-cert-expired':
        return new BridgeError('IDENTITY_EXPIRED', `${this.where()} refused the identity certificate as expired.`, { cause: err });
      case 'client-cert-rejected':
        return new BridgeError('ACCESS_DENIED', `${this.where()} refused the identity certificate (${failureCode(err)}): is it for this cluster?`, { cause: err });
      default:
        return new BridgeError('AUTH_UNREACHABLE', `Could not reach ${this.where()} (${failureCode(err)}).`, { cause: err });
    }
  }

  private async connect(): Promise<ClientHttp2Session> {
    const { proxy, clusterName, credentials, logger } = this.options;
    const servername = authServerName(clusterName);
    const upgrade = await this.options.upgrade?.forDial('alpn-ping');
    const socket = await dialTls({
      target: proxy,
      servername,
      alpn: authAlpn(clusterName),
      cert: credentials.certPem,
      key: credentials.keyPem,
      ca: credentials.hostCAPems,
      replaceRoots: true,
      rejectUnauthorized: true, // never relaxed: --insecure concerns the web certificate only
      timeoutMs: this.timeoutMs,
      upgrade,
    }).catch((err: unknown) => {
      throw this.dialError(err);
    });
    if (socket.alpnProtocol !== 'h2') {
      socket.destroy();
      throw new BridgeError('AUTH_UNREACHABLE', `${this.where()} did not negotiate HTTP/2 (ALPN ${socket.alpnProtocol || 'none'}): the proxy does not route teleport-auth (TLS routing disabled, or an L7 load balancer in front).`);
    }
    const session = connectHttp2(`https://${servername}`, { createConnection: () => socket });
    session.on('error', (err) => logger.debug('auth connection error', { error: failureCode(err) }));
    return session;
  }

  private sessionForCall(): Promise<ClientHttp2Session> {
    if (this.closed) return Promise.reject(new BridgeError('SHUTTING_DOWN', 'The Auth Service client is closed.'));
    if (!this.session) {
      const pending = this.connect();
      this.session = pending;
      this.dialing.add(pending);
      const forget = () => {
        if (this.session === pending) this.session = undefined;
      };
      void pending.finally(() => this.dialing.delete(pending)).catch(() => undefined);
      pending.then((session) => session.once('close', forget), forget);
    }
    return this.session;
  }

  private async call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
    const name = method.path.slice(method.path.lastIndexOf('/') + 1);
    const body = encodeGrpcFrame(method.request.encode(request));
    for (let attempt = 1; ; attempt++) {
      let session = await this.sessionForCall();
      if (session.closed || session.destroyed) {
        // dropped (e.g. GOAWAY) but 'close' not delivered yet: dial afresh
        this.session = undefined;
        session = await this.sessionForCall();
      }
      const settled = this.watchLiveness(session, name);
      let replies: Buffer[];
      try {
        replies = await this.exchange(session, method.path, name, body);
      } catch (err) {
        // A silent connection is no answer from the Auth Service: these calls are safe to repeat on a new one.
        if (attempt === 1 && this.silent.has(session)) continue;
        throw err;
      } finally {
        settled();
      }
      if (replies.length !== 1) throw new BridgeError('AUTH_ERROR', `Auth Service ${name}: expected one reply message, got ${replies.length}.`);
      return method.response.decode(replies[0]!);
    }
  }

  /**
   * Pings the session beside a call; no pong within the ping timeout while the call is still waiting destroys the
   * session (its streams fail at once instead of at the call timeout). Returns the function to call when the call
   * settled: an answer proves the connection alive.
   */
  private watchLiveness(session: ClientHttp2Session, name: string): () => void {
    const timer = setTimeout(() => {
      this.silent.add(session);
      this.options.logger.info('the Auth Service connection answered no HTTP/2 ping; replacing it', { call: name, pingTimeoutMs: this.pingTimeoutMs });
      session.destroy();
    }, this.pingTimeoutMs);
    timer.unref();
    try {
      session.ping(() => clearTimeout(timer)); // a pong, or the session closing for another reason
    } catch {
      clearTimeout(timer); // too many pings outstanding: the call timeout still bounds this one
    }
    return () => clearTimeout(timer);
  }

  private exchange(session: ClientHttp2Session, path: string, name: string, body: Buffer): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const stream = session.request({
        [h2.HTTP2_HEADER_METHOD]: 'POST',
        [h2.HTTP2_HEADER_PATH]: path,
        [h2.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto',
        te: 'trailers',
        'grpc-timeout': `${this.timeoutMs}m`,
      });
      const decoder = new GrpcFrameDecoder();
      let status: GrpcStatus | undefined;
      let httpStatus = 0;
      let settled = false;
      const finish = (err: Error | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(decoder.messages);
      };
      const timer = setTimeout(() => {
        stream.close(h2.NGHTTP2_CANCEL);
        finish(new BridgeError('AUTH_UNREACHABLE', `Auth Service ${name}: no answer within ${this.timeoutMs} ms via ${this.options.proxy.hostPort}.`));
      }, this.timeoutMs);
      stream.on('response', (headers) => {
        httpStatus = Number(headers[h2.HTTP2_HEADER_STATUS]);
        status = grpcStatusOf(headers); // trailers-only answer (errors)
      });
      stream.on('trailers', (trailers) => {
        status = grpcStatusOf(trailers) ?? status;
      });
      stream.on('data', (chunk: Buffer) => {
        try {
          decoder.push(chunk);
        } catch (err) {
          stream.close(h2.NGHTTP2_PROTOCOL_ERROR);
          finish(new BridgeError('AUTH_ERROR', `Auth Service ${name}: ${(err as Error).message}.`));
        }
      });
      stream.on('error', (err) => finish(new BridgeError('AUTH_UNREACHABLE', `Auth Service ${name} failed via ${this.options.proxy.hostPort} (${failureCode(err)}).`, { cause: err })));
      stream.on('close', () => {
        if (httpStatus !== 200) return finish(new BridgeError('AUTH_UNREACHABLE', `Auth Service ${name}: HTTP ${httpStatus || 'no response'} instead of a gRPC answer via ${this.options.proxy.hostPort}.`));
        if (!status) return finish(new BridgeError('AUTH_UNREACHABLE', `Auth Service ${name}: the stream ended without a gRPC status.`));
        if (status.code !== GrpcCode.OK) return finish(grpcStatusError(name, status));
        if (decoder.incomplete) return finish(new BridgeError('AUTH_ERROR', `Auth Service ${name}: the reply was cut off.`));
        finish(undefined);
      });
      stream.end(body);
    });
  }
}

/**
 * An Auth Service client for an identity. Without a Host CA there is nothing to verify the Auth Service with, so
 * that is refused here rather than falling back to the system roots.
 */
export function authClientForIdentity(proxy: ProxyAddress, creds: Credentials, logger: Logger, timeoutMs?: number, upgrade?: ConnectionUpgrade): AuthClient {
  if (!creds.caPems.length) {
    throw new BridgeError(
      'AUTH_UNREACHABLE',
      `${creds.files.join(', ')} hold no Host CA to verify the Auth Service with; with --cert/--key also pass the cluster's teleport-host-ca.crt with --ca.`,
    );
  }
  return new AuthClient({
    proxy,
    clusterName: creds.identity.clusterName,
    credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: creds.caPems },
    logger,
    timeoutMs,
    upgrade,
  });
}
