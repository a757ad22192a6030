import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeError } from '../../errors/catalogue';
import { Backoff } from '../backoff';

/**
 * How long a request that never reached the MCP server keeps being resent: long enough to ride out a restart of
 * the server or of the proxy in front of it (seconds), short enough that a real outage is reported in time.
 */
export const UNREACHED_RETRY_WINDOW_MS = 20_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/** The resends of one message that could not reach the server: capped back-off, until the window closes. */
export class RetryWindow {
  private readonly backoff = new Backoff(FIRST_DELAY_MS, MAX_DELAY_MS);
  private readonly deadline: number;

  constructor(readonly windowMs: number = UNREACHED_RETRY_WINDOW_MS) {
    this.deadline = Date.now() + windowMs;
  }

  /** Waits before the next resend and resolves true; false (at once) when it would end past the window, or on abort. */
  async wait(signal: AbortSignal): Promise<boolean> {
    const delayMs = this.backoff.next();
    if (Date.now() + delayMs > this.deadline || signal.aborted) return false;
    return sleep(delayMs, true, { signal }).catch(() => false);
  }

  /** The last failure, saying how long resending went on. */
  exhausted(last: BridgeError): BridgeError {
    const detail = `${last.detail} Resent with back-off for ${Math.round(this.windowMs / 1000)} s without success.`;
    return new BridgeError(last.tag, detail, { cause: last, data: last.data });
  }
}
