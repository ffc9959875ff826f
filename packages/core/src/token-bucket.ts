/**
 * A token bucket: `capacity` at once, refilled at `refillPerSecond`. One caller's
 * requests, frames or keys (ssh channel requests, WebSocket frames, a session's keys): a
 * person resizing a window sends dozens a second for a moment; a flood runs the bucket dry.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** Spend `n` tokens; false when the bucket holds fewer. */
  take(n = 1): boolean {
    if (this.available() < n) return false;
    this.tokens -= n;
    return true;
  }

  /** The tokens the bucket holds now (a fraction while it refills; below 0 while in debt). */
  available(): number {
    const t = this.now();
    // ms x rate first, then one division: 290 ms at 100/s is 29 tokens, not 28.999...
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.refillPerSecond) / 1000);
    this.last = t;
    return this.tokens;
  }

  /**
   * Milliseconds until the bucket holds `n` tokens (0 when it does now): how long to wait
   * before take(n) can succeed, for a caller that holds work back behind the rate (a debt
   * from spend() is repaid first). Rounded up to a whole ms.
   */
  msUntil(n = 1): number {
    const missing = n - this.available();
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.refillPerSecond);
  }

  /**
   * Spend `n` tokens whether or not the bucket holds them: for what has already arrived and
   * must be counted (keys decoded from a chunk the rate let through); a debt is repaid by
   * the refill before the next take() or available() >= 1.
   */
  spend(n = 1): void {
    this.available();
    this.tokens -= n;
  }
}
