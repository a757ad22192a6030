import { BridgeError } from '../../errors/catalogue';
import { isJsonObject, type Json } from '../era/meta';
import { rpcErrorOf } from '../era/spec-errors';
import { idKey, type JsonRpcMessage } from '../jsonrpc';
import type { ClientResponse } from '../link';
import type { ServerMessages } from '../server-messages';

let asked = 0;

/**
 * Asks the 2025 client what a 2026-07-28 server's `input_required` result wants (elicitation, sampling, roots) as
 * the ordinary server→client requests that client understands, and collects the answers into `inputResponses`.
 * The requests carry ids of their own (`mcp-bridge-input-N`), never the client's; the answers come back through
 * the link's respond().
 */
export class ClientQuestions {
  private readonly waiting = new Map<string, (answer: JsonRpcMessage) => void>();

  constructor(private readonly server: ServerMessages) {}

  /** Sends every input request at once and resolves with the answers by key; rejects when one fails or `signal` aborts. */
  async ask(inputRequests: Json, signal: AbortSignal, cancelled: () => BridgeError): Promise<Json> {
    const entries = Object.entries(inputRequests);
    const answers = await Promise.all(entries.map(([key, request]) => this.askOne(key, request, signal, cancelled)));
    return Object.fromEntries(entries.map(([key], i) => [key, answers[i]]));
  }

  /** The client's answer to one of our requests: true when it was one. */
  answered({ id, message }: ClientResponse): boolean {
    const wake = this.waiting.get(idKey(id));
    if (!wake) return false;
    this.waiting.delete(idKey(id));
    wake(message);
    return true;
  }

  private async askOne(key: string, request: unknown, signal: AbortSignal, cancelled: () => BridgeError): Promise<unknown> {
    if (!isJsonObject(request) || typeof request.method !== 'string') {
      throw new BridgeError('INPUT_REQUEST_FAILED', `The server's input request "${key}" is not a request (no method).`);
    }
    const id = `mcp-bridge-input-${++asked}`;
    const answer = new Promise<JsonRpcMessage>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(idKey(id));
        // The client may be showing a dialog for it: tell it the question is moot.
        void this.server.deliver({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'The request that needed this input ended.' } });
        reject(cancelled());
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(idKey(id), (message) => {
        signal.removeEventListener('abort', onAbort);
        resolve(message);
      });
    });
    await this.server.deliver({ jsonrpc: '2.0', id, method: request.method, ...(request.params === undefined ? {} : { params: request.params }) });
    const message = await answer;
    const error = rpcErrorOf(message);
    if (error || !('result' in message)) {
      const why = error ? `${error.code} ${error.message}` : 'an answer without a result';
      throw new BridgeError('INPUT_REQUEST_FAILED', `The client answered the server's ${request.method} ("${key}") with ${why}.`);
    }
    return message.result;
  }
}
