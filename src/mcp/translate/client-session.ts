import type { Discovered } from '../era/discover';
import { requestMeta } from '../era/discover';
import { isJsonObject, META, paramsOf, type Json } from '../era/meta';
import { legacyVersionFor } from '../era/versions';
import type { JsonRpcMessage } from '../jsonrpc';

/**
 * What a 2025 client established with its `initialize` — the state a 2026-07-28 server no longer keeps — and how it
 * travels instead: on every request, in `_meta` (protocol version, the client's capabilities and identity, and the
 * log level it set with `logging/setLevel`). Also the `initialize` answer, made from the server's server/discover.
 */
export class ClientSession {
  private capabilities: Json = {};
  private clientInfo?: Json;
  private logLevel?: string;

  constructor(
    /** The modern version spoken to the server. */
    readonly version: string,
    private readonly discovered: Discovered,
    private readonly host: string,
  ) {}

  /** Records the client's initialize and answers it as a 2025 server would, from what server/discover said. */
  initialize(message: JsonRpcMessage): Json {
    const params = paramsOf(message) ?? {};
    if (isJsonObject(params.capabilities)) this.capabilities = params.capabilities;
    if (isJsonObject(params.clientInfo)) this.clientInfo = params.clientInfo;
    const { capabilities, serverInfo, instructions } = this.discovered;
    return {
      protocolVersion: legacyVersionFor(params.protocolVersion),
      capabilities,
      serverInfo: serverInfo ?? { name: this.host, version: 'unknown' },
      ...(instructions === undefined ? {} : { instructions }),
    };
  }

  setLogLevel(level: unknown): void {
    if (typeof level === 'string') this.logLevel = level;
  }

  /** The server's capabilities as server/discover listed them. */
  get serverCapabilities(): Json {
    return this.discovered.capabilities;
  }

  /** The `_meta` every request carries (the client's own keys, e.g. progressToken, kept). */
  meta(own: unknown = {}): Json {
    return {
      ...(isJsonObject(own) ? own : {}),
      ...requestMeta({ capabilities: this.capabilities, clientInfo: this.clientInfo }, this.version),
      ...(this.logLevel ? { [META.logLevel]: this.logLevel } : {}),
    };
  }

  /** `message` as a 2026-07-28 request: its params with the `_meta` above. */
  stamp(message: JsonRpcMessage, params: Json | undefined = paramsOf(message)): JsonRpcMessage {
    return { ...message, params: { ...(params ?? {}), _meta: this.meta(params?._meta) } };
  }
}
