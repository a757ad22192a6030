import { isUtf8 } from 'node:buffer';
import { BridgeError, toJsonRpcError } from '../../errors/catalogue';
import { errorResponse, type JsonRpcMessage } from '../jsonrpc';
import type { Envelope } from '../message/envelope-scanner';
import type { Collected } from '../message/message-collector';
import type { RawMessage } from '../message/raw-message';

/**
 * One stdin line: a message (as the bytes it came in, its envelope read, and the body to send upstream: those bytes
 * in one Buffer), a batch (parsed: batches are small and rare), an error answer, or nothing.
 */
export type Inbound =
  | { kind: 'message'; raw: RawMessage; body: Buffer }
  | { kind: 'batch'; values: unknown[] }
  | { kind: 'reply'; message: JsonRpcMessage }
  | { kind: 'blank' };

const parseError = (detail: string): Inbound => ({ kind: 'reply', message: errorResponse(null, toJsonRpcError(new BridgeError('PARSE_ERROR', detail))) });

/** `limit`: the --max-message-size a line went over. */
export function decodeLine(line: Collected, limit: number): Inbound {
  switch (line.kind) {
    case 'blank':
      return line;
    case 'oversize':
      return { kind: 'reply', message: oversizeReply(line.envelope, limit) };
    case 'not-json':
      return parseError(line.reason === 'not UTF-8' ? 'A line on stdin is not valid UTF-8.' : `A line on stdin (${line.message.size} bytes) is not valid JSON.`);
  }
  // The line's one copy: its pieces (views of stdin's chunks) joined into the body sent upstream.
  const raw = line.message.joined();
  const body = raw.bytes();
  if (!isUtf8(body)) return parseError('A line on stdin is not valid UTF-8.');
  if (raw.envelope.kind === 'invalid') {
    let value: unknown;
    try {
      value = raw.value(); // an array is a batch; small lines are parsed already
    } catch {
      return parseError(`A line on stdin (${raw.size} bytes) is not valid JSON.`);
    }
    if (Array.isArray(value)) return { kind: 'batch', values: value };
  }
  return { kind: 'message', raw, body };
}

/** The answer to a line over the limit: addressed to its id when it has one (read wherever it was in the line). */
function oversizeReply(envelope: Envelope, limit: number): JsonRpcMessage {
  const id = envelope.kind === 'notification' ? null : envelope.id;
  const error = new BridgeError('MESSAGE_TOO_LARGE', `A message on stdin exceeded ${limit} bytes and was skipped.`, { data: { limit } });
  return errorResponse(id, toJsonRpcError(error));
}
