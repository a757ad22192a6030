/**
 * Capped exponential back-off between reconnection attempts: doubles from `first` up to `max`, and starts over once
 * a connection succeeded. A server's `retry:` takes precedence where the caller has one.
 */
export class Backoff {
  private current: number;

  constructor(
    private readonly first: number,
    private readonly max: number,
  ) {
    this.current = first;
  }

  /** The delay before the next attempt. */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.current * 2, this.max);
    return delay;
  }

  reset(): void {
    this.current = this.first;
  }
}
