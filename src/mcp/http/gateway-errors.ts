import { BridgeError } from '../../errors/catalogue';
import type { UpstreamFailure } from '../../upstream/types';
import { bodyExcerpt, headerValue, type ResponseHeaders } from './channel';

/**
 * Teleport's App Service marks its error answers with who failed (late 18.x builds); early builds send no header and
 * a bare status text (teleport-wire.md §6).
 */
const ERROR_ORIGIN_HEADER = 'x-teleport-mcp-error-origin';

/** Go's dial errors: the TCP connection to the MCP server was never made, so the request cannot have reached it. */
const DIAL_FAILURE = /connection refused|no such host|dial tcp.*(?:i\/o timeout|timed out)/i;

/**
 * An answer the path in front of the server may explain, for upstream.recoverFrom(): a 403 (an app session the proxy
 * does not serve, whatever the words), or a 500 that does not say who failed (Teleport's answer for a cached session
 * without a reachable App Service).
 */
export function refusalOf(response: { status: number; headers: ResponseHeaders }, body: string): UpstreamFailure | undefined {
  const bare500 = response.status === 500 && headerValue(response.headers, ERROR_ORIGIN_HEADER) === undefined;
  return response.status === 403 || bare500 ? { kind: 'status', status: response.status, body, headers: response.headers } : undefined;
}

/**
 * What a gateway's error status says about a request: `unreached` when the gateway could not even connect to the MCP
 * server (safe to resend: only late builds say so, with the origin header and Go's dial error), `may-have-run` when
 * it may have delivered it (a reset or EOF after sending, a header timeout, or a 500/502/504 that does not say who
 * failed: early builds answer every upstream failure so), `too-large` for a JSON answer over the App Service's
 * 10 MiB read limit (late builds: 429 from the App Service). Undefined for other statuses and the MCP server's own.
 */
export type GatewayVerdict = { kind: 'unreached' | 'may-have-run' | 'too-large'; error: BridgeError };

export function gatewayVerdict(status: number, headers: ResponseHeaders, body: string, url: URL, answerLimits?: string): GatewayVerdict | undefined {
  const origin = headerValue(headers, ERROR_ORIGIN_HEADER);
  const what = `${url.host} answered HTTP ${status}: ${bodyExcerpt(body)}`;
  if (status === 429 && origin === 'app-service') {
    const limits = answerLimits ? ` (${answerLimits})` : '';
    return { kind: 'too-large', error: new BridgeError('RESPONSE_TOO_LARGE', `${what}: the answer was larger than the gateway reads${limits}; the call may have run.`, { data: { status } }) };
  }
  if (status !== 500 && status !== 502 && status !== 504) return undefined;
  if (origin === 'upstream') return undefined; // the MCP server answered this status itself
  if (status === 500 && origin !== undefined) return undefined; // the App Service's own, named failure
  if (origin === 'upstream-unreachable' && DIAL_FAILURE.test(body)) {
    return { kind: 'unreached', error: new BridgeError('UPSTREAM_UNREACHABLE', `${what} (the gateway could not connect to the MCP server).`, { data: { status } }) };
  }
  return { kind: 'may-have-run', error: new BridgeError('MAY_HAVE_RUN', `${what} (the request may have reached the MCP server).`, { data: { status } }) };
}
