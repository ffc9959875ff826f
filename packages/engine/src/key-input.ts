import { TimeoutError, type Encoding, type Logger } from '@carrier/core';
import { InputTextDecoder, KeyDecoder, type Key } from '@carrier/terminal';


/**
 * How long a lone ESC waits for the rest of a sequence before it is the Escape key.
 * Arrow keys arrive in one TCP segment on any sane link; 80 ms also covers a slow hop
 * while a human pressing Escape feels no delay.
 */
export const ESCAPE_DECIDE_MS = 80;

/**
 * Keys a session accepts: a sustained rate far above any typist (or repeating key) and a
 * burst for a pasted line. Every accepted key can make a script redraw (the main menu
 * costs ~0.2 ms and 1.3 KB per key, measured by the hostile battery), so without a rate a
 * logged-in caller holding a key down over a fast link could keep a core busy.
 */
export const KEY_RATE: Readonly<KeyRate> = { perSecond: 100, burst: 1000 };

/**
 * Keys typed ahead of the script: as many as the rate's burst, so a pasted line of up to
 * `limits.keyBurst` (and `limits.maxLineLength`, both 1000) arrives whole even while the
 * script is busy; a paste of a whole file or a flood is cut here instead of growing
 * without bound. This is the default rate's; a session's own rate sets its own.
 */
export const KEY_QUEUE_LIMIT = KEY_RATE.burst;

export interface KeyRate {
  perSecond: number;
  burst: number;
}

interface Waiter {
  resolve(key: Key): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The session's keyboard: bytes -> text (in the terminal's current encoding) -> keys ->
 * a bounded queue -> readers in the order they asked. Cursor-position reports that
 * arrive outside a probe are dropped: they are late probe answers or forgeries.
 */
export class KeyInput {
  private readonly text: InputTextDecoder;
  private readonly keys = new KeyDecoder();
  private readonly queue: Key[] = [];
  private readonly waiters: Waiter[] = [];
  private escapeTimer: NodeJS.Timeout | undefined;
  private flooding = false;
  private tokens: number;
  private refilledAt = Date.now();
  private rateLimited = false;
  private closedWith: unknown;
  /** Keys handed to readers so far. */
  delivered = 0;

  constructor(
    encoding: Encoding,
    private readonly log: Logger,
    private readonly rate: Readonly<KeyRate> = KEY_RATE,
  ) {
    this.text = new InputTextDecoder(encoding);
    this.tokens = rate.burst;
  }

  /** Keys waiting to be read. */
  get queued(): number {
    return this.queue.length;
  }

  push(bytes: Buffer, encoding: Encoding): void {
    if (this.closedWith !== undefined) return;
    if (encoding !== this.text.encoding) this.text.setEncoding(encoding);
    this.cancelEscapeTimer();
    const text = this.text.push(bytes);
    if (text.length > 0) this.accept(this.keys.push(text));
    if (this.keys.pendingEscape) {
      this.escapeTimer = setTimeout(() => {
        this.escapeTimer = undefined;
        this.accept(this.keys.flush());
      }, ESCAPE_DECIDE_MS);
      this.escapeTimer.unref();
    }
  }

  /** Keys as text (already decoded): what a full-screen view handed back when it closed. */
  pushText(text: string): void {
    if (this.closedWith !== undefined || text === '') return;
    this.accept(this.keys.push(text));
  }

  /** The next key; rejects with TimeoutError after `timeoutMs`, or with the close error. */
  read(timeoutMs?: number): Promise<Key> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const key = this.queue.shift();
    if (key) {
      if (this.queue.length === 0) this.flooding = false;
      this.delivered++;
      return Promise.resolve(key);
    }
    return new Promise<Key>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new TimeoutError(`no key within ${timeoutMs} ms`));
        }, Math.max(0, timeoutMs));
      }
      this.waiters.push(waiter);
    });
  }

  /** Take the typed-ahead keys, oldest first (a full-screen view opening takes them over). */
  take(): Key[] {
    this.flooding = false;
    this.delivered += this.queue.length;
    return this.queue.splice(0);
  }

  /** Throw away typed-ahead keys (before a password prompt, after an error). */
  discard(): number {
    const n = this.queue.length;
    this.queue.length = 0;
    this.flooding = false;
    return n;
  }

  /** Every pending and future read rejects with `err`. */
  close(err: unknown): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    this.cancelEscapeTimer();
    this.queue.length = 0;
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Token bucket: true when this key is within the rate. */
  private withinRate(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.refilledAt) * this.rate.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.rateLimited = false;
      return true;
    }
    if (!this.rateLimited) {
      this.rateLimited = true;
      this.log.warn('input.rate_limited', { perSecond: this.rate.perSecond, burst: this.rate.burst });
    }
    return false;
  }

  private accept(keys: Key[]): void {
    for (const key of keys) {
      if (key.name === 'cpr') continue;
      if (!this.withinRate()) continue;
      const waiter = this.waiters.shift();
      if (waiter) {
        if (waiter.timer) clearTimeout(waiter.timer);
        this.delivered++;
        waiter.resolve(key);
        continue;
      }
      if (this.queue.length < this.rate.burst) {
        this.queue.push(key);
        continue;
      }
      if (!this.flooding) {
        this.flooding = true;
        this.log.warn('input.flood_dropped', { queued: this.queue.length, limit: this.rate.burst });
      }
    }
  }

  private cancelEscapeTimer(): void {
    if (this.escapeTimer) clearTimeout(this.escapeTimer);
    this.escapeTimer = undefined;
  }
}

/**
 * The name a script sees for a key: a printable character as itself, otherwise the key
 * name with modifiers first ('enter', 'up', 'f1', 'ctrl-c', 'alt-x', 'shift-tab').
 */
export function keyName(key: Key): string {
  if (key.name === 'cpr') return 'cpr';
  const mods = `${key.ctrl ? 'ctrl-' : ''}${key.alt ? 'alt-' : ''}`;
  if (key.name === 'char') return `${mods}${key.ch ?? ''}`;
  return `${mods}${key.shift ? 'shift-' : ''}${key.name}`;
}
