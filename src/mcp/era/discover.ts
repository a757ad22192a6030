import { BridgeError } from '../../errors/catalogue';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc';
import { isJsonObject, META, type Json } from './meta';
import { MODERN_VERSIONS } from './versions';

/** What a server/discover result says (server/discover in 2026-07-28), with the result itself to answer from. */
export interface Discovered {
  supportedVersions: string[];
  capabilities: Json;
  serverInfo?: Json;
  instructions?: string;
  /** How long the server lets the result be reused (`ttlMs`, 0 when absent). */
  ttlMs: number;
  /** The result as the server sent it. */
  result: Json;
}

/** Reads a server/discover result; a result that is not a DiscoverResult is a tagged error. */
export function parseDiscoverResult(result: unknown, host: string): Discovered {
  const invalid = (what: string) => new BridgeError('DISCOVER_INVALID', `${host} answered server/discover with ${what}.`);
  if (!isJsonObject(result)) throw invalid('a result that is not an object');
  const { supportedVersions, capabilities, instructions, ttlMs } = result;
  if (!Array.isArray(supportedVersions) || !supportedVersions.every((v) => typeof v === 'string')) {
    throw invalid('no supportedVersions list of strings');
  }
  if (!isJsonObject(capabilities)) throw invalid('no capabilities object');
  const meta = isJsonObject(result._meta) ? result._meta : {};
  const serverInfo = isJsonObject(meta[META.serverInfo]) ? meta[META.serverInfo] : isJsonObject(result.serverInfo) ? result.serverInfo : undefined;
  return {
    supportedVersions,
    capabilities,
    serverInfo: serverInfo as Json | undefined,
    instructions: typeof instructions === 'string' ? instructions : undefined,
    ttlMs: typeof ttlMs === 'number' && Number.isSafeInteger(ttlMs) && ttlMs > 0 ? ttlMs : 0,
    result,
  };
}

/** The `_meta` a request of ours carries: the client's identity and capabilities, as it declared them. */
export function requestMeta(client: { capabilities?: Json; clientInfo?: Json }, version: string = MODERN_VERSIONS[0]): Json {
  return {
    [META.protocolVersion]: version,
    [META.clientCapabilities]: client.capabilities ?? {},
    ...(client.clientInfo ? { [META.clientInfo]: client.clientInfo } : {}),
  };
}

/** A server/discover request (the HTTP era probe), with the modern headers derived from it when it is sent. */
export function discoverRequest(id: JsonRpcId, meta: Json): JsonRpcMessage {
  return { jsonrpc: '2.0', id, method: 'server/discover', params: { _meta: meta } };
}
