/**
 * Names what went wrong in a TLS dial or on a TLS connection, from Node/OpenSSL error codes, so each caller can
 * turn it into the catalogue tag that fits its context (proxy web port, Auth Service, app traffic, the relay's
 * requests in src/mcp/transport-errors.ts).
 */
export type TlsFailureKind =
  /** TCP could not be established (refused, DNS, route, reset before TLS). */
  | 'unreachable'
  /** Connecting or the handshake took longer than the bound. */
  | 'timeout'
  /** We could not verify the server's certificate (unknown CA, wrong name, expired server cert). */
  | 'server-untrusted'
  /** The server rejected our client certificate because it has expired. */
  | 'client-cert-expired'
  /** The server rejected our client certificate for another reason (unknown CA, bad certificate). */
  | 'client-cert-rejected'
  /** The server does not speak any protocol we offered in ALPN. */
  | 'no-alpn'
  | 'other';

const SERVER_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** TLS alerts a server sends when it refuses our certificate (alert 45, 42, 48, 116 and OpenSSL's variants). */
const CLIENT_EXPIRED = /ALERT_CERTIFICATE_EXPIRED/;
const CLIENT_REJECTED = /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)/;

/** Every error code along the cause chain, outermost first (undici and our dialers wrap socket errors). */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

/** Looks at the error and its causes (undici wraps socket errors). */
export function classifyTlsFailure(err: unknown): TlsFailureKind {
  const codes = errorCodes(err);
  if (codes.some((c) => CLIENT_EXPIRED.test(c))) return 'client-cert-expired';
  if (codes.some((c) => CLIENT_REJECTED.test(c))) return 'client-cert-rejected';
  if (codes.some((c) => SERVER_VERIFY_CODES.has(c))) return 'server-untrusted';
  if (codes.some((c) => /NO_APPLICATION_PROTOCOL/.test(c))) return 'no-alpn';
  if (codes.some((c) => c === 'ETIMEDOUT' || c === 'UND_ERR_CONNECT_TIMEOUT')) return 'timeout';
  if (codes.some((c) => UNREACHABLE_CODES.has(c))) return 'unreachable';
  return 'other';
}

/** The first error code in the chain, for error details (never secrets). */
export function failureCode(err: unknown): string {
  return errorCodes(err)[0] ?? (err instanceof Error ? err.message : String(err));
}
