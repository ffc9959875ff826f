/**
 * A token bucket: `capacity` at once, refilled at `refillPerSecond`. One caller's
 * requests or frames (ssh channel requests, WebSocket frames): a person resizing a
 * window sends dozens a second for a moment; a flood runs the bucket dry.
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
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.refillPerSecond);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}
