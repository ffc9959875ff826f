import { INPUT_INTERRUPT, TimeoutError, TokenBucket, type Encoding, type Logger } from '@carrier/core';
import { InputTextDecoder, KeyDecoder, MAX_SEQUENCE, type Key } from '@carrier/terminal';


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
 * logged-in caller holding a key down over a fast link could keep a core busy. Keys over
 * the rate are not dropped: they wait (KEY_BACKLOG_LIMIT) and the transport stops
 * reading, so a paste arrives whole, at the rate, and a flood costs the flooder time.
 * Why 100: tools/bench/paste-flood.ts (2026-12-07, 2 shared cores) with callers pasting
 * into the message editor without end: at 100/s, 50 of them take about half a core and a
 * caller typing at `login:` sees a 2 ms echo (p50); 200 fill the core (60 ms p50). At
 * 500/s, 10 take half a core and 50 fill it; at 2000/s, 10 fill it.
 */
export const KEY_RATE: Readonly<KeyRate> = { perSecond: 100, burst: 1000 };

/**
 * Keys typed ahead of the script: as many as the rate's burst, so a pasted line of up to
 * `limits.keyBurst` (and `limits.maxLineLength`, both 1000) is ready at once even while
 * the script is busy. More wait, undecoded, in the backlog. This is the default rate's; a
 * session's own rate sets its own.
 */
export const KEY_QUEUE_LIMIT = KEY_RATE.burst;

/**
 * The transport is asked to stop reading once this many characters wait behind the rate,
 * not at the first: a paste of up to this much is read whole at once, so a Ctrl-C typed
 * while it is typed in at the rate reaches the session (CANCEL_PASTE) instead of waiting in
 * the socket behind the rest of the paste. Past it the connection still reads up to
 * INPUT_SCAN_AHEAD more (held, not decoded) and hands a Ctrl-C among it over at once; only the
 * rest of a longer paste waits unread until the backlog drains back under this.
 */
export const KEY_BACKLOG_PAUSE = 32 * 1024;

/**
 * Characters held back behind the rate or a full queue: the pause point plus one TCP read
 * or WebSocket frame (up to 64 KiB, which arrives before the transport can be paused).
 * Past it input is dropped, logged once and told to the caller once per flood. A string,
 * not keys: at most 192 KiB of heap per flooding caller (two bytes a character).
 */
export const KEY_BACKLOG_LIMIT = KEY_BACKLOG_PAUSE + 64 * 1024;

/**
 * Ctrl-C typed while pasted text still waits behind the key rate stops the paste: what
 * waits (the backlog and the keys not yet read) is dropped and the session says how much
 * (KeyFlow.cancelled); the Ctrl-C itself is no key. With nothing waiting it is a key as ever.
 */
export const CANCEL_PASTE = String.fromCharCode(INPUT_INTERRUPT);

/**
 * Keys one session's reader takes from its queue in one turn of the event loop; the next
 * waits for the loop's check phase, after other callers' input and timers. A script's read
 * of a queued key resolves at once, so without this a typed-ahead burst (up to
 * `limits.keyBurst`, each key a redraw: ~60 us in the message editor, ~0.2 ms at the main
 * menu) ran in one go while every other caller waited: tools/bench/paste-flood.ts saw a
 * caller typing at `login:` wait 1-3 s for an echo beside 10 callers pasting at 2000 keys/s.
 * With busy sessions taking turns, a key waits for about one turn of each (8 keys, well
 * under 2 ms); the extra immediate every 8 keys costs little beside 8 redraws.
 */
export const KEYS_PER_TURN = 8;

export interface KeyRate {
  perSecond: number;
  burst: number;
}

/** What the session does about a backlog: pause the transport, tell the caller. */
export interface KeyFlow {
  /** Keys wait in the backlog (true) or it emptied (false): stop or start reading the caller. */
  backlogged(waiting: boolean): void;
  /** Input past KEY_BACKLOG_LIMIT was dropped: once per flood, with the characters dropped so far. */
  dropped(chars: number): void;
  /** The caller stopped a paste with Ctrl-C (CANCEL_PASTE): `chars` typed characters were not typed. */
  cancelled?(chars: number): void;
}

interface Waiter {
  resolve(key: Key): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The session's keyboard: bytes -> text (in the terminal's current encoding) -> a bounded
 * backlog -> keys, at the rate -> a bounded queue -> readers in the order they asked.
 * Cursor-position reports that arrive outside a probe are dropped: they are late probe
 * answers or forgeries.
 */
export class KeyInput {
  private readonly text: InputTextDecoder;
  private readonly keys = new KeyDecoder();
  private readonly queue: Key[] = [];
  private readonly waiters: Waiter[] = [];
  /** decoded text not yet turned into keys: over the rate, or the queue was full */
  private backlog = '';
  /** Where in the backlog a paste begins (the keys from there on are `pasted`), until they are decoded. */
  private pasteAt: number | undefined;
  /** The keys decoded now are a paste's: since the first key of a paste, until a key typed by hand. */
  private pasting = false;
  private releaseTimer: NodeJS.Timeout | undefined;
  private escapeTimer: NodeJS.Timeout | undefined;
  private overflowed = 0;
  /** The keys the rate allows now. */
  private readonly budget: TokenBucket;
  private rateLimited = false;
  private paused = false;
  private closedWith: unknown;
  /** Keys read from the queue in this turn of the event loop (KEYS_PER_TURN). */
  private turnKeys = 0;
  private turnEnd: NodeJS.Immediate | undefined;
  /** Keys handed to readers so far. */
  delivered = 0;

  constructor(
    encoding: Encoding,
    private readonly log: Logger,
    private readonly rate: Readonly<KeyRate> = KEY_RATE,
    private readonly flow?: KeyFlow,
  ) {
    this.text = new InputTextDecoder(encoding);
    this.budget = new TokenBucket(rate.burst, rate.perSecond);
  }

  /** Keys waiting to be read. */
  get queued(): number {
    return this.queue.length;
  }

  /** Characters waiting behind the rate or a full queue. */
  get backlogged(): number {
    return this.backlog.length;
  }

  /** The transport should not read for now: KEY_BACKLOG_PAUSE characters or more wait. */
  get full(): boolean {
    return this.paused;
  }

  push(bytes: Buffer, encoding: Encoding): void {
    if (this.closedWith !== undefined) return;
    if (encoding !== this.text.encoding) this.text.setEncoding(encoding);
    this.pushText(this.text.push(bytes));
  }

  /** Keys as text (already decoded from the caller's encoding), to be decoded as if just typed. */
  pushText(text: string): void {
    if (this.closedWith !== undefined || text === '') return;
    this.cancelEscapeTimer();
    const cancel = this.backlog.length > 0 ? text.lastIndexOf(CANCEL_PASTE) : -1;
    if (cancel >= 0) {
      this.cancelPaste(cancel);
      text = text.slice(cancel + 1);
      if (text === '') return;
    }
    // A read of one key is a key typed by hand; more at once, or any behind keys still
    // waiting, are a paste's (Key.pasted): from its first key until a key typed by hand.
    const pasted = this.backlog.length > 0 || manyKeys(text);
    if (!pasted) this.pasting = false;
    const at = this.backlog.length;
    this.hold(text);
    if (pasted && !this.pasting && this.pasteAt === undefined && this.backlog.length > at) this.pasteAt = at;
    this.release();
  }

  /**
   * Ctrl-C during a paste: the backlog, the keys not yet read and the `before` characters
   * that came with the Ctrl-C (the paste's tail) are dropped. Keys a reader already has stay.
   */
  private cancelPaste(before: number): void {
    const chars = this.backlog.length + before + this.queue.reduce((n, k) => n + k.raw.length, 0);
    this.backlog = '';
    this.queue.length = 0;
    this.pasteAt = undefined;
    this.pasting = false;
    // A sequence the paste left half-read is not the start of the next key.
    this.keys.flush();
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    this.emptied();
    this.log.info('input.paste_cancelled', { chars });
    this.flow?.cancelled?.(chars);
  }

  /**
   * Whole keys, one key's characters each, decided elsewhere: what a full-screen view handed
   * back when it closed (typed after the key that closed it). Each is decoded alone, so an
   * Escape followed by `x` stays those two keys, not Alt-x.
   */
  pushKeys(raws: readonly string[]): void {
    if (this.closedWith !== undefined || raws.length === 0) return;
    const one = new KeyDecoder();
    this.accept(raws.flatMap((raw) => [...one.push(raw), ...one.flush()]));
  }

  /** The next key; rejects with TimeoutError after `timeoutMs`, or with the close error. */
  read(timeoutMs?: number): Promise<Key> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    if (this.queue.length > 0 && this.turnKeys >= KEYS_PER_TURN) {
      // This turn's share is read: the rest after other callers' input and timers had theirs.
      return new Promise<Key>((resolve, reject) => {
        setImmediate(() => void this.read(timeoutMs).then(resolve, reject));
      });
    }
    const key = this.queue.shift();
    if (key) {
      this.turnKeys++;
      // Scheduled before any read deferred above: the count restarts before those run.
      this.turnEnd ??= setImmediate(() => {
        this.turnKeys = 0;
        this.turnEnd = undefined;
      });
      this.delivered++;
      // The queue has room again: what waited behind it moves up.
      if (this.backlog.length > 0) this.release();
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

  /**
   * Take the typed-ahead keys, oldest first, the backlog too (a full-screen view opening
   * takes them over: it reads the connection itself from now on, and draws at its own budget).
   */
  take(): Key[] {
    const keys = this.queue.splice(0);
    if (this.backlog.length > 0) {
      for (const key of this.keys.push(this.backlog)) if (key.name !== 'cpr') keys.push(key);
      this.backlog = '';
      if (this.pasteAt !== undefined) this.pasting = true;
      this.pasteAt = undefined;
      this.emptied();
    }
    // A lone ESC waiting (ESCAPE_DECIDE_MS) for the rest of an arrow key is the Escape key
    // now: the new reader decodes the caller's input itself from here on, and this decoder
    // sees no more of it (`w` then Esc in one write: the Esc is who's online's).
    this.cancelEscapeTimer();
    for (const key of this.keys.flush()) keys.push(key);
    this.delivered += keys.length;
    return keys;
  }

  /**
   * Keys a reader took but gives back, to be read first (a word-wrapped line's last word):
   * at most a line's worth, so the queue's bound moves by that much at most.
   */
  unread(keys: readonly Key[]): void {
    if (this.closedWith !== undefined) return;
    this.delivered = Math.max(0, this.delivered - keys.length);
    this.queue.unshift(...keys);
    while (this.waiters.length > 0 && this.queue.length > 0) {
      const waiter = this.waiters.shift()!;
      if (waiter.timer) clearTimeout(waiter.timer);
      this.delivered++;
      waiter.resolve(this.queue.shift()!);
    }
  }

  /** Throw away typed-ahead keys (before a password prompt, after an error). */
  discard(): number {
    const n = this.queue.length + this.backlog.length;
    this.queue.length = 0;
    this.backlog = '';
    this.pasteAt = undefined;
    this.pasting = false;
    this.emptied();
    return n;
  }

  /** Every pending and future read rejects with `err`. */
  close(err: unknown): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = err;
    this.cancelEscapeTimer();
    clearTimeout(this.releaseTimer);
    if (this.turnEnd) clearImmediate(this.turnEnd);
    this.turnEnd = undefined;
    this.queue.length = 0;
    this.backlog = '';
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Append to the backlog, up to its limit; the rest is dropped, logged and told once per flood. */
  private hold(text: string): void {
    const room = KEY_BACKLOG_LIMIT - this.backlog.length;
    let kept = text;
    if (text.length > room) {
      // Never keep half a surrogate pair.
      const cut = room > 0 && /[\uD800-\uDBFF]/.test(text[room - 1]!) ? room - 1 : room;
      kept = text.slice(0, Math.max(0, cut));
      const first = this.overflowed === 0;
      this.overflowed += text.length - kept.length;
      if (first) {
        this.log.warn('input.flood_dropped', { dropped: this.overflowed, limit: KEY_BACKLOG_LIMIT });
        this.flow?.dropped(this.overflowed);
      }
    }
    this.backlog += kept;
  }

  /** Turn the backlog into keys as far as the queue and the rate allow; wait for the rest. */
  private release(): void {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    // The tokens as the loop last saw them: why it stopped (under 1: the rate, else the queue).
    let tokens = 0;
    while (this.backlog.length > 0) {
      tokens = this.budget.available();
      const room = Math.min(Math.floor(tokens), this.waiters.length + this.rate.burst - this.queue.length);
      if (room < 1) break;
      // `room` characters are at most `room` keys (a key is one character or more).
      let n = Math.min(room, this.backlog.length);
      if (/[\uD800-\uDBFF]/.test(this.backlog[n - 1]!)) n = n === 1 ? Math.min(2, this.backlog.length) : n - 1;
      const chunk = this.backlog.slice(0, n);
      this.backlog = this.backlog.slice(n);
      // With the clock: the rest of an arrow key whose ESC was decided alone is still that key (a slow link).
      const now = Date.now();
      const at = this.pasteAt;
      if (at !== undefined && at < n) {
        // A paste begins in this chunk: the keys before it were typed by hand.
        this.pasteAt = undefined;
        if (at > 0) this.accept(this.keys.push(chunk.slice(0, at), now));
        this.pasting = true;
        this.accept(this.keys.push(chunk.slice(at), now), true);
      } else {
        if (at !== undefined) this.pasteAt = at - n;
        this.accept(this.keys.push(chunk, now), this.pasting);
      }
    }
    if (this.backlog.length === 0) {
      this.emptied();
      if (this.keys.pendingEscape) {
        this.escapeTimer = setTimeout(() => {
          this.escapeTimer = undefined;
          this.accept(this.keys.flush(Date.now()), this.pasting);
        }, ESCAPE_DECIDE_MS);
        this.escapeTimer.unref();
      }
      return;
    }
    // Reading goes on until the backlog is at the pause point (a Ctrl-C behind a paste is read).
    const full = this.backlog.length >= KEY_BACKLOG_PAUSE;
    if (full !== this.paused) {
      this.paused = full;
      this.flow?.backlogged(full);
    }
    // Waiting for a reader: read() releases. Waiting for the rate: a timer, when the next key is due.
    if (tokens < 1) {
      if (!this.rateLimited) {
        this.rateLimited = true;
        this.log.warn('input.rate_limited', { perSecond: this.rate.perSecond, burst: this.rate.burst, waiting: this.backlog.length });
      }
      // The bucket says when the next token is due (a debt from accept() is repaid first).
      this.releaseTimer = setTimeout(() => this.release(), Math.max(1, this.budget.msUntil()));
      this.releaseTimer.unref();
    }
  }

  /** The backlog is empty: the flood (if any) is over and the transport may read again. */
  private emptied(): void {
    this.rateLimited = false;
    this.overflowed = 0;
    if (this.paused) {
      this.paused = false;
      this.flow?.backlogged(false);
    }
  }

  /** `pasted`: the keys are a paste's (Key.pasted). */
  private accept(keys: Key[], pasted = false): void {
    let spent = 0;
    for (const key of keys) {
      if (key.name === 'cpr') continue;
      if (pasted) key.pasted = true;
      const waiter = this.waiters.shift();
      // A lone Escape decided by its timer may find the queue full: the one key not kept.
      if (!waiter && this.queue.length >= this.rate.burst) continue;
      spent++;
      if (waiter) {
        if (waiter.timer) clearTimeout(waiter.timer);
        this.delivered++;
        waiter.resolve(key);
        continue;
      }
      this.queue.push(key);
    }
    // A chunk the rate let through may end as a key or two more than its characters'
    // tokens (an escape sequence begun in the chunk before): a debt, repaid by the refill.
    this.budget.spend(spent);
  }

  private cancelEscapeTimer(): void {
    if (this.escapeTimer) clearTimeout(this.escapeTimer);
    this.escapeTimer = undefined;
  }
}

/**
 * `text` (one transport read) holds more than one key: a paste, or keys a slow link sent
 * together, not one key typed by hand (a character, an escape sequence, CR LF). A key is at
 * most MAX_SEQUENCE characters; a shorter read is decoded apart to count its keys.
 */
function manyKeys(text: string): boolean {
  if (text.length > MAX_SEQUENCE) return true;
  const alone = new KeyDecoder();
  return alone.push(text).length + alone.flush().length > 1;
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
