import type { Logger } from './log.js';

/**
 * A flood of refused connects must not become a flood of log lines: each address gets at
 * most one line per window. The first refusal is logged at once; the ones that follow in
 * the same window are counted and reported in one summary line when the window closes.
 */
export const REFUSAL_WINDOW_MS = 60_000;
/**
 * Addresses tracked at once. A flood from more sources than this (spoofing needs no
 * handshake to fail here, but a botnet might) is summed into one "other addresses" line
 * instead of growing the map.
 */
export const MAX_REFUSAL_ADDRESSES = 10_000;

interface Window {
  openedAt: number;
  suppressed: number;
  protocols: Set<string>;
  reason: string;
}

export class RefusalLog {
  private readonly windows = new Map<string, Window>();
  private overflow = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    private readonly windowMs = REFUSAL_WINDOW_MS,
  ) {}

  note(remoteAddress: string, protocol: string, reason: string): void {
    const now = this.clock();
    const w = this.windows.get(remoteAddress);
    if (w && now - w.openedAt < this.windowMs) {
      w.suppressed++;
      w.protocols.add(protocol);
      w.reason = reason;
      return;
    }
    if (w) {
      this.flushOne(remoteAddress, w, now);
      const next = this.windows.get(remoteAddress);
      if (next) {
        // The summary line just written opened this window: count, don't log twice.
        next.suppressed++;
        next.protocols.add(protocol);
        return;
      }
    } else if (this.windows.size >= MAX_REFUSAL_ADDRESSES) {
      this.overflow++;
      this.arm();
      return;
    }
    this.windows.set(remoteAddress, { openedAt: now, suppressed: 0, protocols: new Set(), reason });
    this.log.info('connect.refused', { remote: remoteAddress, protocol, reason, count: 1 });
    this.arm();
  }

  /** Report what is still counted and stop the timer (shutdown). */
  close(): void {
    this.sweep(Number.POSITIVE_INFINITY);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(this.clock()), Math.max(1000, Math.floor(this.windowMs / 2)));
    this.timer.unref();
  }

  /** Closes windows older than the window length; a window with a count becomes one line. */
  private sweep(now: number): void {
    for (const [address, w] of this.windows) {
      if (now - w.openedAt >= this.windowMs) this.flushOne(address, w, now);
    }
    if (this.overflow > 0) {
      this.log.info('connect.refused', { remote: '(other addresses)', count: this.overflow, windowMs: this.windowMs });
      this.overflow = 0;
    }
    if (this.windows.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private flushOne(address: string, w: Window, now: number): void {
    this.windows.delete(address);
    if (w.suppressed === 0) return;
    this.log.info('connect.refused', {
      remote: address,
      protocol: [...w.protocols].join(','),
      reason: w.reason,
      count: w.suppressed,
      windowMs: this.windowMs,
    });
    // The summary opens the next window, so a steady flood still yields one line a minute.
    if (Number.isFinite(now)) this.windows.set(address, { openedAt: now, suppressed: 0, protocols: new Set(), reason: w.reason });
  }
}
