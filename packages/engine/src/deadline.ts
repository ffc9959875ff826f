/** A warning a Deadline gives once, `beforeMs` before it expires; a touch() re-arms it. */
export interface DeadlineWarning {
  beforeMs: number;
  onWarn(): void;
}

/**
 * A timer that can be pushed back cheaply. `touch()` only moves a number; the one
 * underlying timeout re-arms itself when it fires early, so a caller typing (or
 * flooding) thousands of keys a second never churns timers. With a warning, the timer
 * stops once at `due - beforeMs` to give it (the idle timeout's "press a key to stay").
 */
export class Deadline {
  private due: number;
  private timer: NodeJS.Timeout | undefined;
  /** the warning was given for the current `due` */
  private warned = false;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
    private readonly warning?: DeadlineWarning,
  ) {
    this.due = Date.now() + ms;
    this.arm(this.nextStop() - Date.now());
  }

  /** Start counting again from now (and warn again before the new end). */
  touch(): void {
    if (!this.timer) return;
    this.due = Date.now() + this.ms;
    this.warned = false;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** When the timer must next look: the warning first, then the end. */
  private nextStop(): number {
    return this.warning && !this.warned ? this.due - this.warning.beforeMs : this.due;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, ms));
    // A session's timers must not keep a stopping process alive.
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now();
    const stop = this.nextStop();
    if (stop > now) {
      this.arm(stop - now);
      return;
    }
    if (this.warning && !this.warned) {
      this.warned = true;
      this.arm(this.due - now);
      this.warning.onWarn();
      return;
    }
    this.timer = undefined;
    this.onExpire();
  }
}
