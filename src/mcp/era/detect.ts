import { BridgeError } from '../../errors/catalogue';
import type { Sent } from '../http/forwarder';
import { isJsonObject } from './meta';
import { parseDiscoverResult, type Discovered } from './discover';
import { isModernError, rpcErrorOf, supportedVersionsOf, type RpcError } from './spec-errors';
import { mutualModernVersion, MODERN_VERSIONS } from './versions';

/** What is known of an upstream's era: legacy, or modern with the version to speak (and its discover answer). */
export type Verdict = { era: 'legacy' } | { era: 'modern'; version: string; discovered?: Discovered };

/**
 * The outcome of a server/discover probe over HTTP: a verdict (and whether it may be remembered across processes),
 * or a failure that says nothing about the era (the server or the way to it is down, access refused).
 */
export type Detection = { verdict: Verdict; lasting: boolean; malformed?: BridgeError } | { failed: BridgeError };

/** HTTP statuses that say "not for me" about the request rather than about access or the server's health. */
const REFUSALS = new Set([400, 404, 405, 406, 415, 422]);

/**
 * Reads the answer to a server/discover sent with the 2026-07-28 headers, by the spec's backward-compatibility rules
 * (basic/versioning, transports/streamable-http): a DiscoverResult or a recognised modern error means a modern
 * server; any other JSON-RPC error or result, or a refusal without a modern error in its body, means a legacy one. A 5xx is
 * taken as legacy for this process only (some 2025 servers fail on methods they do not know); transport failures,
 * 401/403 and gateway errors decide nothing.
 */
export function readProbe(sent: Sent, host: string): Detection {
  if ('failed' in sent) return readFailure(sent.failed);
  const answer = sent.answer;
  const error = rpcErrorOf(answer);
  if (error) return readError(error);
  let discovered: Discovered;
  try {
    discovered = parseDiscoverResult(answer.result, host);
  } catch (err) {
    // Some 2025 servers answer any method with a result (e.g. `{}`): legacy, as SDK clients take it, unless the
    // server later shows itself modern — then the malformed answer is the error to report.
    return { verdict: { era: 'legacy' }, lasting: true, malformed: err as BridgeError };
  }
  const version = mutualModernVersion(discovered.supportedVersions);
  // A server offering only revisions we do not speak is, to us, one to reach the 2025 way (as SDK clients fall back).
  return { verdict: version ? { era: 'modern', version, discovered } : { era: 'legacy' }, lasting: true };
}

function readError(error: RpcError): Detection {
  const supported = supportedVersionsOf(error);
  if (supported) {
    const version = mutualModernVersion(supported);
    return { verdict: version ? { era: 'modern', version } : { era: 'legacy' }, lasting: true };
  }
  if (isModernError(error)) return { verdict: { era: 'modern', version: MODERN_VERSIONS[0] }, lasting: true };
  return { verdict: { era: 'legacy' }, lasting: true };
}

function readFailure(failed: BridgeError): Detection {
  const status = failed.tag === 'UPSTREAM_STATUS' ? failed.data.status : undefined;
  if (typeof status !== 'number') return { failed };
  const upstreamError = isJsonObject(failed.data.upstreamError) ? (failed.data.upstreamError as unknown as RpcError) : undefined;
  if (REFUSALS.has(status)) return upstreamError ? readError(upstreamError) : { verdict: { era: 'legacy' }, lasting: true };
  if (status >= 500) return { verdict: { era: 'legacy' }, lasting: false };
  return { failed };
}

/** A failure whose body shows a 2025 server refusing a 2026-07-28 request (a contradiction when it was thought modern). */
export function isLegacyRefusal(failed: BridgeError): boolean {
  const detection = readFailure(failed);
  return 'verdict' in detection && detection.verdict.era === 'legacy' && detection.lasting;
}
