import { BridgeError, toJsonRpcError } from '../../errors/catalogue';
import { errorResponse, type JsonRpcMessage } from '../jsonrpc';
import { peekTopLevelId } from './line-splitter';

/** One stdin line: parsed JSON (and its text, forwarded as is when unchanged), an error answer, or nothing. */
export type Inbound = { kind: 'json'; value: unknown; text: string } | { kind: 'reply'; message: JsonRpcMessage } | { kind: 'blank' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeLine(bytes: Buffer): Inbound {
  let text: string;
  try {
    text = utf8.decode(bytes).trim();
  } catch {
    return { kind: 'reply', message: errorResponse(null, toJsonRpcError(new BridgeError('PARSE_ERROR', 'A line on stdin is not valid UTF-8.'))) };
  }
  if (text === '') return { kind: 'blank' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown, text };
  } catch {
    return { kind: 'reply', message: errorResponse(null, toJsonRpcError(new BridgeError('PARSE_ERROR', `A line on stdin (${bytes.length} bytes) is not valid JSON.`))) };
  }
}

/** The answer to a line that exceeded the limit: addressed to its id when the start of the line reveals it. */
export function oversizeReply(head: Buffer, limit: number): JsonRpcMessage {
  const id = peekTopLevelId(head.toString('utf8'));
  const error = new BridgeError('MESSAGE_TOO_LARGE', `A message on stdin exceeded ${limit} bytes and was skipped.`, { data: { limit } });
  return errorResponse(id, toJsonRpcError(error));
}
