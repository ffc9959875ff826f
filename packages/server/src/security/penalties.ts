import { subnetOf } from '@carrier/core';

/**
 * Per-source penalties after OpenSSH's PerSourcePenalties: events add points to the
 * source they came from, points drain away with time, and a source whose points reach
 * `banAt` is banned for a while. Failed logins also add points to the account tried, but
 * an account only ever earns a delay: a lock would let anyone lock anyone out.
 *
 * Pure bookkeeping with an injected clock; the policy decides what a verdict does.
 */
export interface PenaltyConfig {
  /** points for a wrong password */
  authFail: number;
  /** points for a connection that ended without anyone logging in */
  noAuth: number;
  /** a source with this many points is banned */
  banAt: number;
  /**
   * a network (the /24, or the IPv6 /64) whose sources together earn this many points is
   * banned as a whole: fifty addresses in one /24 guessing a few times each add up
   */
  networkBanAt: number;
  /** points that drain away per minute, one whole point at a time */
  decayPerMinute: number;
  /** the first penalty ban; each further one within a day doubles it */
  banForMs: number;
  maxBanMs: number;
  /** hold after the first failed login; doubles with each recent failure */
  delayMs: number;
  maxDelayMs: number;
}

export interface PenaltyVerdict {
  /** hold the caller this long before saying "Login incorrect" */
  delayMs: number;
  /** ban the source for this long */
  banForMs?: number;
  /** ban the source's whole network (`target`, a CIDR) for this long */
  banNetwork?: { target: string; forMs: number };
}

/**
 * Sources and accounts remembered at once. A botnet cycling addresses (or IPv6 /64s)
 * cannot grow the tables past this; the least recently charged entries go first.
 */
export const MAX_TRACKED = 100_000;
/** Repeat bans double only within this window; a source quiet for a day starts over. */
const STRIKE_MEMORY_MS = 24 * 3_600_000;
/** Account keys are login names as typed: bound them before they become map keys. */
const MAX_ACCOUNT_KEY = 64;

interface Tally {
  points: number;
  /** when the last whole point drained (or the tally started) */
  at: number;
  strikes: number;
  lastBanAt: number;
}

export class PenaltyBox {
  private readonly sources = new Map<string, Tally>();
  private readonly accounts = new Map<string, Tally>();
  private readonly networks = new Map<string, Tally>();

  constructor(
    private readonly cfg: PenaltyConfig,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A wrong password for `account` from `source`. */
  failedLogin(source: string, account: string): PenaltyVerdict {
    const now = this.clock();
    const s = this.charge(this.sources, source, this.cfg.authFail, now);
    const a = this.charge(this.accounts, accountKey(account), this.cfg.authFail, now);
    // Failures still "remembered" by the worse of the two, this one included.
    const recent = Math.max(1, Math.ceil(Math.max(s.points, a.points) / Math.max(this.cfg.authFail, 1)));
    const delayMs = Math.min(this.cfg.maxDelayMs, this.cfg.delayMs * 2 ** Math.min(recent - 1, 30));
    return this.verdict(source, s, this.cfg.authFail, now, delayMs);
  }

  /** A connection from `source` closed without a login. */
  unauthenticated(source: string): PenaltyVerdict {
    const now = this.clock();
    const s = this.charge(this.sources, source, this.cfg.noAuth, now);
    return this.verdict(source, s, this.cfg.noAuth, now, 0);
  }

  /** Points the source's network holds, all its sources together. */
  networkPoints(source: string): number {
    const t = this.networks.get(subnetOf(source));
    return t ? this.drained(t, this.clock()) : 0;
  }

  /** The source's own ban, and its network's when the network's points reached networkBanAt. */
  private verdict(source: string, s: Tally, points: number, now: number, delayMs: number): PenaltyVerdict {
    const network = subnetOf(source);
    const n = this.charge(this.networks, network, points, now);
    const out: PenaltyVerdict = { delayMs };
    const banForMs = this.banIfDue(s, now);
    if (banForMs !== undefined) out.banForMs = banForMs;
    if (network !== source) {
      const netBan = this.banIfDue(n, now, this.cfg.networkBanAt);
      if (netBan !== undefined) out.banNetwork = { target: network, forMs: netBan };
    }
    return out;
  }

  sourcePoints(source: string): number {
    const t = this.sources.get(source);
    return t ? this.drained(t, this.clock()) : 0;
  }

  accountPoints(account: string): number {
    const t = this.accounts.get(accountKey(account));
    return t ? this.drained(t, this.clock()) : 0;
  }

  /** Forget entries that have drained to nothing and carry no recent strike. */
  sweep(): void {
    const now = this.clock();
    for (const map of [this.sources, this.accounts, this.networks]) {
      for (const [k, t] of map) {
        if (this.drained(t, now) <= 0 && now - t.lastBanAt >= STRIKE_MEMORY_MS) map.delete(k);
      }
    }
  }

  get tracked(): { sources: number; accounts: number; networks: number } {
    return { sources: this.sources.size, accounts: this.accounts.size, networks: this.networks.size };
  }

  /**
   * Whole points drain, so six quick failures are exactly 30 points, not 29.98: a
   * threshold means what the config says.
   */
  private wholePointsDrained(t: Tally, now: number): number {
    return Math.floor(((now - t.at) / 60_000) * this.cfg.decayPerMinute);
  }

  private drained(t: Tally, now: number): number {
    return Math.max(0, t.points - this.wholePointsDrained(t, now));
  }

  private charge(map: Map<string, Tally>, key: string, points: number, now: number): Tally {
    const old = map.get(key);
    let t: Tally;
    if (old) {
      const gone = this.wholePointsDrained(old, now);
      const left = old.points - gone;
      // Keep the part-drained fraction of a point: charging never resets the drain clock.
      const at = left <= 0 ? now : gone > 0 ? old.at + (gone * 60_000) / this.cfg.decayPerMinute : old.at;
      t = { ...old, points: Math.max(0, left) + points, at };
    } else {
      t = { points, at: now, strikes: 0, lastBanAt: Number.NEGATIVE_INFINITY };
    }
    // Delete and re-insert: Map order is then least recently charged first.
    map.delete(key);
    map.set(key, t);
    while (map.size > MAX_TRACKED) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
    return t;
  }

  private banIfDue(t: Tally, now: number, banAt = this.cfg.banAt): number | undefined {
    if (t.points < banAt) return undefined;
    const strikes = now - t.lastBanAt < STRIKE_MEMORY_MS ? t.strikes : 0;
    t.strikes = strikes + 1;
    t.lastBanAt = now;
    t.points = 0;
    return Math.min(this.cfg.maxBanMs, this.cfg.banForMs * 2 ** Math.min(strikes, 30));
  }
}

function accountKey(name: string): string {
  return name.trim().toLowerCase().slice(0, MAX_ACCOUNT_KEY);
}
