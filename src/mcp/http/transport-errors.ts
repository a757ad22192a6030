import { BridgeError } from '../../errors/catalogue';
import { classifyTlsFailure, errorCodes } from '../../tls/failure';

/** How a failed HTTP exchange should be treated: was the request possibly delivered, and is it a TLS refusal? */
export interface TransportFailure {
  error: BridgeError;
  /** False when the connection failed before the request could reach the server, so resending is safe. */
  sent: boolean;
  /**
   * The TLS handshake failed or the server refused our certificate: fresh credentials might fix it. With `sent`
   * too, the connection only closed before a byte: a refused certificate, or a server that went away.
   */
  tls: boolean;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);
/** The most specific error code in the cause chain (undici wraps socket errors in UND_ERR_SOCKET). */
function errorCode(err: unknown): string | undefined {
  const codes = errorCodes(err);
  return codes.find((code) => code !== 'UND_ERR_SOCKET') ?? codes[0];
}

/** Bytes the failed connection had received, when undici reports its socket (it does for UND_ERR_SOCKET). */
function bytesReadOf(err: unknown): number | undefined {
  const socket = (err as { socket?: { bytesRead?: unknown } } | undefined)?.socket;
  return typeof socket?.bytesRead === 'number' ? socket.bytesRead : undefined;
}

/** Classifies an error thrown by an undici request to `url` (never includes request or header contents). */
export function classifyTransportError(err: unknown, url: URL): TransportFailure {
  if (err instanceof BridgeError) return { error: err, sent: false, tls: false };
  const code = errorCode(err) ?? 'unknown';
  const where = url.host;
  if (classifyTlsFailure(err) === 'server-untrusted') {
    return { error: new BridgeError('TLS_VERIFY_FAILED', `The certificate of ${where} was not accepted (${code}).`, { cause: err }), sent: false, tls: true };
  }
  // An alert from the server during or right after the handshake: it refused our client certificate.
  if (/^ERR_SSL_.*ALERT/.test(code) || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return { error: new BridgeError('CLIENT_CERT_REJECTED', `${where} refused the TLS connection (${code}).`, { cause: err }), sent: false, tls: true };
  }
  if (CONNECT_CODES.has(code)) {
    return { error: new BridgeError('UPSTREAM_UNREACHABLE', `Could not connect to ${where} (${code}).`, { cause: err }), sent: false, tls: false };
  }
  if (url.protocol === 'https:' && bytesReadOf(err) === 0) {
    // With TLS 1.3 the server checks our certificate after our handshake completes and may just close the
    // connection (Node does, without an alert): a fresh connection closed before a single byte looks exactly so.
    return {
      error: new BridgeError(
        'CLIENT_CERT_REJECTED',
        `${where} closed the new TLS connection before answering: it most likely refused or required a client certificate (had it crashed instead, the request may have run).`,
        { cause: err },
      ),
      sent: true,
      tls: true,
    };
  }
  const reason = err instanceof Error ? err.message : String(err);
  return { error: new BridgeError('MAY_HAVE_RUN', `The connection to ${where} failed after the request was sent (${code}: ${reason}).`, { cause: err }), sent: true, tls: false };
}
