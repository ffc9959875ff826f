import {
  cidrContains,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  type AcceptGate,
  type AddressSet,
  type Cidr,
  type Logger,
} from '@carrier/core';
import type { Ban, BanSource, Store } from '@carrier/store';
import type { AuditLog } from './audit.js';

/**
 * The bans in force, in memory, checked at accept before any protocol byte. The store is
 * the truth: bans made here are written through, and bans made elsewhere (the `carrier
 * ban` CLI, another process of a multi-process board) are picked up by polling the
 * store's ban version every `refreshMs`, or at once when another process says it changed
 * them (`changedElsewhere`, fed by the bus: see ban-notices.ts). The allowlist always wins.
 */
export interface BanListOptions {
  store: Store;
  log: Logger;
  audit: AuditLog;
  allowlist: AddressSet;
  refreshMs: number;
  clock?: () => number;
}

/** Besides version polling, a full reload this often catches a change the version missed. */
const FULL_RELOAD_MS = 5 * 60_000;
/** Expired rows are deleted this often; they are ignored in memory meanwhile. */
const PURGE_MS = 10 * 60_000;
/**
 * Reads asked for by other processes start at most this often: a flood of bans made
 * elsewhere (a sysop's script, penalties under attack) costs each process a few reads a
 * second, not one per ban, and a ban still arrives within a fraction of a second.
 */
export const NOTICE_GAP_MS = 250;

interface Loaded {
  exact: Map<string, Ban>;
  ranges: Array<{ cidr: Cidr; ban: Ban }>;
}

export class BanList {
  private loaded: Loaded = { exact: new Map(), ranges: [] };
  private version = '';
  private timer: NodeJS.Timeout | undefined;
  private lastFullReload = 0;
  private lastPurge = 0;
  private storeDown = false;
  private refreshing: Promise<void> | undefined;
  private readonly listeners = new Set<(cidr: Cidr, ban: Ban) => void>();
  private readonly writers = new Set<() => void>();
  /** the read asked for by other processes' notices, waiting or under way; later notices join it until it reads */
  private noticed: Promise<void> | undefined;
  private lastNoticeRead = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly opts: BanListOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  /** Load the bans and start polling for changes made elsewhere. */
  async start(): Promise<void> {
    await this.purge();
    await this.reload(true);
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Called for every new ban in this process, so open sockets of the source can be closed. */
  onBan(fn: (cidr: Cidr, ban: Ban) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Called once a ban or an unban made in this process is in the store and in force here,
   * so the board's other processes can be told to read the store (see `changedElsewhere`).
   */
  onWritten(fn: () => void): () => void {
    this.writers.add(fn);
    return () => this.writers.delete(fn);
  }

  /**
   * Another process changed the bans in the store: read them now rather than at the next
   * poll, and put them in force as a poll would (new bans reach open sockets through
   * `onBan`). Notices are coalesced: the first after a quiet spell reads at once, and every
   * notice that comes while a read waits joins it, the next read starting no sooner than
   * NOTICE_GAP_MS after the last. A read already under way when a notice comes may have
   * read the store before the change, so one more follows it. Never throws.
   */
  changedElsewhere(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.noticed ??= (async () => {
      const wait = this.lastNoticeRead + NOTICE_GAP_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      await this.settled();
      // From here on a notice needs a read that starts after it: it waits for the next one.
      this.noticed = undefined;
      if (this.stopped) return;
      this.lastNoticeRead = performance.now();
      await this.refresh();
    })();
    return this.noticed;
  }

  /** The ban covering `address` now, if any (allowlisted addresses are never banned). */
  find(address: string): Ban | undefined {
    const ip = parseIp(address);
    if (!ip || this.opts.allowlist.has(address)) return undefined;
    const now = this.clock();
    const live = (b: Ban | undefined) => (b && (b.expiresAt === null || b.expiresAt > now) ? b : undefined);
    const exact = live(this.loaded.exact.get(formatIp(ip)));
    if (exact) return exact;
    for (const r of this.loaded.ranges) if (cidrContains(r.cidr, ip) && live(r.ban)) return r.ban;
    return undefined;
  }

  /**
   * For BaseServer: a banned address is closed at once, told why in one line, except
   * after a bot-trap ban, which stays silent (a bot learns nothing from it).
   */
  readonly gate: AcceptGate = (remoteAddress) => {
    const ban = this.find(remoteAddress);
    if (!ban) return { allow: true };
    return { allow: false, reason: 'banned', quiet: ban.source === 'trap' };
  };

  get size(): number {
    return this.loaded.exact.size + this.loaded.ranges.length;
  }

  /**
   * Ban `target` for `forMs` (null: until lifted). An automatic ban (trap, penalty) never
   * shortens a ban already in force. Resolves once the ban is in force in this process (the
   * gate refuses the target, its open sockets were told to close); other processes of the
   * board are told through `onWritten` (the bus), and find it in the store at their next
   * poll (security.banRefresh) if the notice is lost. Undefined when the
   * target is an allowlisted address, or already banned for longer. (A range may cover
   * allowlisted addresses: `find` lets those through.)
   */
  async ban(input: { target: string; reason: string; source: BanSource; forMs: number | null; by: string }): Promise<Ban | undefined> {
    const cidr = parseCidr(input.target);
    if (!cidr) return undefined;
    const target = formatCidr(cidr);
    if (this.opts.allowlist.has(target)) {
      this.opts.log.info('security.ban_skipped', { target, reason: 'allowlisted', source: input.source });
      return undefined;
    }
    const now = this.clock();
    const expiresAt = input.forMs === null ? null : now + input.forMs;
    if (input.source !== 'sysop') {
      const current = this.loaded.exact.get(target) ?? this.loaded.ranges.find((r) => formatCidr(r.cidr) === target)?.ban;
      if (current && (current.expiresAt === null || (expiresAt !== null && current.expiresAt >= expiresAt))) return undefined;
    }
    let ban: Ban;
    try {
      ban = await this.opts.store.bans.put({ target, reason: input.reason, source: input.source, expiresAt });
    } catch (err) {
      // The database is away: enforce the ban in this process anyway. It lasts until the
      // next full reload after the store is back, and is not persisted.
      this.opts.log.error('security.ban_not_persisted', { target, source: input.source, err });
      ban = { id: -1, target, reason: input.reason, source: input.source, createdAt: now, updatedAt: now, expiresAt };
    }
    await this.settled();
    this.remember(cidr, ban);
    this.announce(cidr, ban, input.by);
    // A ban the store did not take is this process's alone: the others would read nothing.
    if (ban.id !== -1) this.written();
    return ban;
  }

  private written(): void {
    for (const fn of this.writers) {
      try {
        fn();
      } catch (err) {
        this.opts.log.error('security.ban_listener_failed', { err });
      }
    }
  }

  private announce(cidr: Cidr, ban: Ban, by: string): void {
    this.opts.audit.ban(ban, by);
    for (const fn of this.listeners) {
      try {
        fn(cidr, ban);
      } catch (err) {
        this.opts.log.error('security.ban_listener_failed', { err });
      }
    }
  }

  async unban(target: string, by: string): Promise<boolean> {
    const cidr = parseCidr(target);
    if (!cidr) return false;
    const removed = await this.opts.store.bans.remove(target);
    await this.settled();
    const key = formatCidr(cidr);
    this.loaded.exact.delete(key);
    this.loaded.ranges = this.loaded.ranges.filter((r) => formatCidr(r.cidr) !== key);
    if (removed) {
      this.opts.audit.unban(key, by);
      this.written();
    }
    return removed;
  }

  /**
   * A reload that read the store before a change written just now is over: it would put back
   * the list as it read it (a ban made here gone until the next poll, a lifted one back), so
   * the change goes into memory after it. One that reads from now on sees the change.
   */
  private async settled(): Promise<void> {
    await this.refreshing;
  }

  /** Poll the store; reload when its ban version moved. Never throws. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const now = this.clock();
        if (now - this.lastPurge >= PURGE_MS) await this.purge();
        const version = await this.opts.store.bans.version();
        if (version !== this.version || now - this.lastFullReload >= FULL_RELOAD_MS) await this.reload();
        if (this.storeDown) this.opts.log.info('security.bans_store_back');
        this.storeDown = false;
      } catch (err) {
        // Keep enforcing what we have; say so once per outage, not once per poll.
        if (!this.storeDown) this.opts.log.warn('security.bans_refresh_failed', { err });
        this.storeDown = true;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /**
   * Replace the in-memory list with the store's. After the first load, a ban that appeared
   * (or changed) elsewhere is audited and reaches open sockets like one made here; one
   * that vanished is audited as lifted.
   */
  private async reload(initial = false): Promise<void> {
    const version = await this.opts.store.bans.version();
    const bans = await this.opts.store.bans.active(this.clock());
    const next: Loaded = { exact: new Map(), ranges: [] };
    const previous = new Map<string, Ban>();
    for (const b of this.loaded.exact.values()) previous.set(b.target, b);
    for (const r of this.loaded.ranges) previous.set(r.ban.target, r.ban);
    const arrived: Array<{ cidr: Cidr; ban: Ban }> = [];
    for (const ban of bans) {
      const cidr = parseCidr(ban.target);
      if (!cidr) continue;
      if (isSingle(cidr)) next.exact.set(formatIp(cidr), ban);
      else next.ranges.push({ cidr, ban });
      const old = previous.get(ban.target);
      previous.delete(ban.target);
      if (!initial && (!old || old.updatedAt !== ban.updatedAt)) arrived.push({ cidr, ban });
    }
    const before = this.size;
    this.loaded = next;
    for (const { cidr, ban } of arrived) this.announce(cidr, ban, 'elsewhere');
    const now = this.clock();
    for (const gone of previous.values()) {
      // Expired bans simply lapse; only a lifted one is news.
      if (gone.expiresAt === null || gone.expiresAt > now) this.opts.audit.unban(gone.target, 'elsewhere');
    }
    this.version = version;
    this.lastFullReload = this.clock();
    if (this.size !== before) this.opts.log.info('security.bans_loaded', { count: this.size });
  }

  private async purge(): Promise<void> {
    this.lastPurge = this.clock();
    const n = await this.opts.store.bans.purgeExpired(this.lastPurge);
    if (n > 0) this.opts.log.info('security.bans_expired', { count: n });
  }

  private remember(cidr: Cidr, ban: Ban): void {
    if (isSingle(cidr)) {
      this.loaded.exact.set(formatIp(cidr), ban);
      return;
    }
    const key = formatCidr(cidr);
    this.loaded.ranges = [...this.loaded.ranges.filter((r) => formatCidr(r.cidr) !== key), { cidr, ban }];
  }
}

function isSingle(c: Cidr): boolean {
  return c.bits === (c.family === 4 ? 32 : 128);
}
