import { subnetOf } from '@carrier/core';

/**
 * New accounts per source address and per network (/24, IPv6 /64) in a sliding window:
 * when accounts are free, every per-handle limit (chat flood control, mutes, the wall's
 * share) is void. One address made 600 accounts in 22 s before this existed.
 *
 * Pure bookkeeping with an injected clock; the login policy decides what a refusal does.
 */
export interface AccountQuotaConfig {
  /** accounts one address may create per window */
  perSource: number;
  /** accounts one /24 (or /64) may create per window, all its addresses together */
  perNetwork: number;
  windowMs: number;
}

export type QuotaVerdict = { ok: true } | { ok: false; scope: 'source' | 'network'; retryInMs: number };

/** Keys remembered at once; the oldest go first, so a botnet cannot grow the tables without bound. */
export const MAX_QUOTA_KEYS = 100_000;

export class AccountQuota {
  private readonly sources = new Map<string, number[]>();
  private readonly networks = new Map<string, number[]>();

  constructor(
    private readonly cfg: AccountQuotaConfig,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether `source` may create an account now (nothing is counted). */
  check(source: string): QuotaVerdict {
    const now = this.clock();
    const s = this.live(this.sources, source, now);
    if (s.length >= this.cfg.perSource) return { ok: false, scope: 'source', retryInMs: s[0]! + this.cfg.windowMs - now };
    const n = this.live(this.networks, subnetOf(source), now);
    if (n.length >= this.cfg.perNetwork) return { ok: false, scope: 'network', retryInMs: n[0]! + this.cfg.windowMs - now };
    return { ok: true };
  }

  /** An account was created from `source`. */
  record(source: string): void {
    const now = this.clock();
    this.push(this.sources, source, now);
    this.push(this.networks, subnetOf(source), now);
  }

  /** Forget windows that have emptied. */
  sweep(): void {
    const now = this.clock();
    for (const map of [this.sources, this.networks]) {
      for (const key of [...map.keys()]) if (this.live(map, key, now).length === 0) map.delete(key);
    }
  }

  private live(map: Map<string, number[]>, key: string, now: number): number[] {
    const times = map.get(key);
    if (!times) return [];
    while (times.length > 0 && times[0]! <= now - this.cfg.windowMs) times.shift();
    return times;
  }

  private push(map: Map<string, number[]>, key: string, now: number): void {
    const times = this.live(map, key, now);
    map.delete(key);
    // A window never holds more than the larger limit: older entries do not change a verdict.
    times.push(now);
    if (times.length > Math.max(this.cfg.perSource, this.cfg.perNetwork)) times.shift();
    map.set(key, times);
    while (map.size > MAX_QUOTA_KEYS) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }
}
