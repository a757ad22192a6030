import { BridgeError, toJsonRpcError, shuttingDownError } from '../../errors/catalogue';
import type { Sent } from '../http/forwarder';
import { errorResponse, type JsonRpcId } from '../jsonrpc';
import { rawReply, type Reply } from '../link';

/** The reply for a failure: a JSON-RPC error carrying the tag, with the failure kept for the era logic. */
export function failedReply(id: JsonRpcId, failure: BridgeError): Reply {
  return { message: errorResponse(id, toJsonRpcError(failure)), failure };
}

/** The reply for what an exchange brought back; nothing at all means the relay is shutting down. */
export function replyOf(id: JsonRpcId, sent: Sent | undefined): Reply {
  if (!sent) return failedReply(id, shuttingDownError());
  if ('failed' in sent) return failedReply(id, sent.failed);
  return sent.raw ? rawReply(sent.raw) : { message: sent.answer, text: sent.text };
}

/** The reply for a request the client cancelled (it no longer waits for one; an SDK ignores it). */
export function cancelledReply(id: JsonRpcId): Reply {
  return failedReply(id, new BridgeError('REQUEST_CANCELLED', `Request ${JSON.stringify(id)} was cancelled by the client; its response stream was closed.`));
}
