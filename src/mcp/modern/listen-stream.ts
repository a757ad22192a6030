import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/logger';
import { Backoff } from '../backoff';
import type { Sent } from '../http/forwarder';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc';
import type { StatelessExchange } from './stateless-exchange';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

/**
 * Keeps one `subscriptions/listen` request open (its response stream carries the change notifications it asked for):
 * when the stream ends without a response — the server restarted, a proxy cut an idle connection — the same request
 * is sent again after a capped back-off, so the subscription outlives the connection. Resolves with the server's
 * response when it ends the subscription itself (a graceful close or a refusal), or undefined once `signal` aborts.
 */
export async function keepListening(
  exchange: StatelessExchange,
  id: JsonRpcId,
  message: JsonRpcMessage,
  body: string | Buffer,
  signal: AbortSignal,
  logger: Logger,
): Promise<Sent | undefined> {
  const backoff = new Backoff(FIRST_DELAY_MS, MAX_DELAY_MS);
  for (;;) {
    const opened = Date.now();
    const sent = await exchange.send(id, message, body, signal);
    if (signal.aborted) return undefined;
    if (!('failed' in sent)) return sent;
    // A stream that stayed up a while was healthy: start the back-off over.
    if (Date.now() - opened > MAX_DELAY_MS) backoff.reset();
    const delayMs = backoff.next();
    logger.debug('subscriptions/listen stream ended; listening again', { delayMs, error: sent.failed.detail });
    await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return undefined;
  }
}
