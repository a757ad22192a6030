import { BridgeError, toJsonRpcError } from '../../errors/catalogue';
import type { Logger } from '../../log/logger';
import type { Envelope } from '../message/envelope-scanner';
import { errorResponse, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc';

/**
 * What becomes of a message over --max-output-message-size (MCP SDK clients close their whole stdio connection on a
 * longer line): a response is replaced by an OUTPUT_TOO_LARGE error for its request, so the client's connection and
 * its later calls survive; a notification or a server→client request is dropped with a warning.
 */
export const overLimit = (size: number, limit: number): boolean => limit > 0 && size > limit;

export function tooLargeAnswer(id: JsonRpcId, size: number, limit: number): JsonRpcMessage {
  const error = new BridgeError(
    'OUTPUT_TOO_LARGE',
    `The response to request ${JSON.stringify(id)} is ${size} bytes, over the ${limit}-byte limit of --max-output-message-size; it was not written (the call did run).`,
    { data: { size, limit } },
  );
  return errorResponse(id, toJsonRpcError(error));
}

export function warnDropped(logger: Logger, envelope: Envelope, size: number, limit: number): void {
  const what = envelope.kind === 'notification' || envelope.kind === 'request' ? `${envelope.kind} ${envelope.method}` : `message (${envelope.kind})`;
  logger.warn(`dropped a server ${what} of ${size} bytes, over the ${limit}-byte limit of --max-output-message-size`, { size, limit });
}
