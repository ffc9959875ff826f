/**
 * A timer that can be pushed back cheaply. `touch()` only moves a number; the one
 * underlying timeout re-arms itself when it fires early, so a caller typing (or
 * flooding) thousands of keys a second never churns timers.
 */
export class Deadline {
  private due: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.due = Date.now() + ms;
    this.arm(ms);
  }

  /** Start counting again from now. */
  touch(): void {
    if (this.timer) this.due = Date.now() + this.ms;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, ms));
    // A session's timers must not keep a stopping process alive.
    this.timer.unref();
  }

  private fire(): void {
    const left = this.due - Date.now();
    if (left > 0) {
      this.arm(left);
      return;
    }
    this.timer = undefined;
    this.onExpire();
  }
}
