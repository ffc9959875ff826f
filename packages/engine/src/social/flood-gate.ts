/**
 * Per-user flood control: a token bucket per key (a handle), `burst` lines at once and
 * `rate` lines per second after that. Pure apart from the clock it is handed.
 */
interface Bucket {
  tokens: number;
  at: number;
}

/** Users tracked at once; beyond it, buckets that have refilled (idle users) are forgotten. */
const MAX_TRACKED = 10_000;

export class FloodGate {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  /** True when `key` may say one more line now (and counts it); false when it must be dropped. */
  allow(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_TRACKED) this.forgetIdle(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) * this.rate) / 1000);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Milliseconds until `key` may say one more line (0: now); counts nothing. */
  msUntil(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) * this.rate) / 1000);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / this.rate);
  }

  get tracked(): number {
    return this.buckets.size;
  }

  private forgetIdle(now: number): void {
    const full = (this.burst * 1000) / this.rate;
    for (const [k, b] of this.buckets) if (now - b.at >= full) this.buckets.delete(k);
    // Every bucket busy (a flood of new handles): start over rather than grow.
    if (this.buckets.size >= MAX_TRACKED) this.buckets.clear();
  }
}
