import { BridgeError } from '../../errors/catalogue';
import { isJsonObject, paramsOf, type Json } from '../era/meta';
import type { Sent } from '../http/forwarder';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc';
import { bridgeRequestId } from '../modern/stateless-exchange';

/** How many `input_required` rounds one request may take before the server is taken to be looping. */
const MAX_INPUT_ROUNDS = 10;
/** The largest `requestState` sent back (it is an opaque token; a server's state belongs on the server). */
const MAX_REQUEST_STATE_BYTES = 1024 * 1024;

export interface InputRoundsOptions {
  /** Sends one request upstream (stateless: each round is its own POST). */
  send(id: JsonRpcId, message: JsonRpcMessage): Promise<Sent>;
  /** Gets the client's answers to the server's input requests (keyed as they were). */
  ask(inputRequests: Json): Promise<Json>;
}

/**
 * Completes a request the 2026-07-28 way (MRTR, basic/patterns/mrtr): while the server answers `resultType:
 * "input_required"`, the client is asked what it wants and the original request is sent again — with a new id, the
 * answers as `inputResponses` and the `requestState` exactly as received. Bounded: a server that never completes,
 * or hands back a state too large to carry, gets a tagged error instead of a loop. The final answer carries the
 * client's id.
 */
export async function completeWithInput(id: JsonRpcId, request: JsonRpcMessage, options: InputRoundsOptions): Promise<Sent> {
  const original = paramsOf(request) ?? {};
  let message = request;
  for (let round = 0; ; round++) {
    const roundId = round === 0 ? id : bridgeRequestId('retry');
    const sent = await options.send(roundId, { ...message, id: roundId });
    if ('failed' in sent) return sent;
    const result = sent.answer.result;
    if (!isJsonObject(result) || result.resultType !== 'input_required') {
      return round === 0 ? sent : { answer: { ...sent.answer, id } };
    }
    if (round + 1 >= MAX_INPUT_ROUNDS) {
      return { failed: new BridgeError('INPUT_REQUIRED_LOOP', `The server answered ${String(request.method)} with input_required ${MAX_INPUT_ROUNDS} times without completing it.`, { data: { rounds: MAX_INPUT_ROUNDS } }) };
    }
    const { inputRequests, requestState } = result;
    if (requestState !== undefined && typeof requestState !== 'string') {
      return { failed: new BridgeError('INPUT_REQUEST_FAILED', 'The server sent a requestState that is not a string.') };
    }
    if (requestState !== undefined && Buffer.byteLength(requestState, 'utf8') > MAX_REQUEST_STATE_BYTES) {
      const size = Buffer.byteLength(requestState, 'utf8');
      return { failed: new BridgeError('REQUEST_STATE_TOO_LARGE', `The server's requestState is ${size} bytes; at most ${MAX_REQUEST_STATE_BYTES} are sent back.`, { data: { size, limit: MAX_REQUEST_STATE_BYTES } }) };
    }
    let inputResponses: Json | undefined;
    if (isJsonObject(inputRequests) && Object.keys(inputRequests).length > 0) {
      try {
        inputResponses = await options.ask(inputRequests);
      } catch (err) {
        return { failed: err as BridgeError };
      }
    }
    // The retry is the original request plus this round's answers: nothing from an earlier round is carried over.
    message = {
      ...request,
      params: {
        ...original,
        ...(inputResponses ? { inputResponses } : {}),
        ...(requestState !== undefined ? { requestState } : {}),
      },
    };
  }
}
