import { BridgeError } from '../../errors/catalogue';
import { bodyExcerpt, headerValue, type ResponseHeaders } from './channel';

/** Teleport's App Service marks its error answers with who failed (v18 and later; older ones send no header). */
const ERROR_ORIGIN_HEADER = 'x-teleport-mcp-error-origin';

/** Go's dial errors: the TCP connection to the MCP server was never made, so the request cannot have reached it. */
const DIAL_FAILURE = /connection refused|no such host|dial tcp.*(?:i\/o timeout|timed out)/i;

/**
 * What a gateway's 502/504 says about a request: `unreached` when the gateway could not even connect to the MCP
 * server (safe to resend), `may-have-run` when it may have delivered it (a reset or EOF after sending, a header
 * timeout, or a gateway that does not say). Undefined for other statuses and for the MCP server's own 5xx.
 */
export type GatewayVerdict = { kind: 'unreached' | 'may-have-run'; error: BridgeError };

export function gatewayVerdict(status: number, headers: ResponseHeaders, body: string, url: URL): GatewayVerdict | undefined {
  if (status !== 502 && status !== 504) return undefined;
  const origin = headerValue(headers, ERROR_ORIGIN_HEADER);
  if (origin === 'upstream') return undefined; // the MCP server answered this status itself
  const what = `${url.host} answered HTTP ${status}: ${bodyExcerpt(body)}`;
  if (origin === 'upstream-unreachable' && DIAL_FAILURE.test(body)) {
    return { kind: 'unreached', error: new BridgeError('UPSTREAM_UNREACHABLE', `${what} (the gateway could not connect to the MCP server).`, { data: { status } }) };
  }
  return { kind: 'may-have-run', error: new BridgeError('MAY_HAVE_RUN', `${what} (the request may have reached the MCP server).`, { data: { status } }) };
}
