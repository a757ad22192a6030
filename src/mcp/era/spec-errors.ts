import { isJsonObject } from './meta';

/**
 * The JSON-RPC error codes the MCP specification owns (-32020..-32099; 2026-07-28 defines three). A body carrying one
 * of them comes from a modern server: it is what tells a modern 400 or 404 from a legacy server's.
 */
export const SPEC_ERRORS = {
  HEADER_MISMATCH: -32020,
  MISSING_REQUIRED_CLIENT_CAPABILITY: -32021,
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

const MODERN_CODES = new Set<number>(Object.values(SPEC_ERRORS));

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export function rpcErrorOf(message: Record<string, unknown>): RpcError | undefined {
  const error = message.error;
  return isJsonObject(error) && typeof error.code === 'number' ? (error as unknown as RpcError) : undefined;
}

/** A modern error the spec defines, i.e. evidence the server speaks 2026-07-28 or later. */
export function isModernError(error: RpcError | undefined): boolean {
  return error !== undefined && MODERN_CODES.has(error.code);
}

/** The versions an UnsupportedProtocolVersion error lists (`data.supported`), if it does. */
export function supportedVersionsOf(error: RpcError | undefined): string[] | undefined {
  if (error?.code !== SPEC_ERRORS.UNSUPPORTED_PROTOCOL_VERSION || !isJsonObject(error.data)) return undefined;
  const supported = error.data.supported;
  return Array.isArray(supported) && supported.every((v) => typeof v === 'string') ? supported : undefined;
}
