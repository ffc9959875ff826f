import { constants } from 'node:os';

export interface LocalInput {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', fn: (bytes: Buffer) => void): unknown;
  off(event: 'data', fn: (bytes: Buffer) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface LocalOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  write(text: string): unknown;
  on(event: 'resize', fn: () => void): unknown;
  off(event: 'resize', fn: () => void): unknown;
}

/**
 * Undoes what a board may have left on the screen: colours (SGR 0), a hidden cursor
 * (DECTCEM), and autowrap turned off around full-width art (DECAWM, PROTOCOL-NOTES).
 * Sequences that move the cursor (leaving the alternate screen, resetting the scroll
 * region) are left out: on a terminal not in that state they would jump the prompt.
 */
const RESET_SCREEN = '\x1b[0m\x1b[?25h\x1b[?7h';

const SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
/** How long a signalled client may spend hanging up and recording the call's end. */
const SIGNAL_CLEANUP_MS = 2000;

/**
 * The person's terminal: raw mode while a board runs in it, and put back the way it was
 * on every way out: a normal quit, the board hanging up, a signal, an uncaught
 * exception or rejection, or process exit. A terminal left in raw mode with the cursor
 * hidden is the one thing a crashing telnet client must never do.
 */
export class LocalTerminal {
  private raw = false;
  private restored = false;
  private readonly handlers: Array<[string, (...args: any[]) => void]> = [];
  private resizeFn: (() => void) | undefined;
  /**
   * Run after the terminal is restored on SIGTERM/SIGHUP/SIGINT and before the process
   * exits (for at most SIGNAL_CLEANUP_MS): the caller hangs up and ends its history row.
   */
  beforeSignalExit: (() => Promise<void>) | undefined;

  constructor(
    readonly input: LocalInput,
    readonly output: LocalOutput,
    private readonly stderr: { write(text: string): unknown } = process.stderr,
  ) {}

  get isTTY(): boolean {
    return this.input.isTTY === true && typeof this.input.setRawMode === 'function';
  }

  size(): { cols: number; rows: number } {
    return { cols: this.output.columns || 80, rows: this.output.rows || 24 };
  }

  /** Calls `fn` with the new size on every window change (SIGWINCH). */
  onResize(fn: (cols: number, rows: number) => void): void {
    this.resizeFn = () => {
      const s = this.size();
      fn(s.cols, s.rows);
    };
    this.output.on('resize', this.resizeFn);
  }

  enterRaw(): void {
    this.restored = false;
    if (this.isTTY && !this.raw) {
      this.input.setRawMode!(true);
      this.raw = true;
    }
    this.input.resume();
    this.install('exit', () => this.restore());
    for (const sig of SIGNALS) {
      this.install(sig, () => {
        this.restore();
        const code = 128 + constants.signals[sig];
        const cleanup = this.beforeSignalExit;
        if (!cleanup) process.exit(code);
        // Hang up and record the call's end, but never hang on it: a store that does not
        // answer must not keep a killed client alive.
        const limit = new Promise((r) => setTimeout(r, SIGNAL_CLEANUP_MS).unref());
        void Promise.race([cleanup().catch(() => undefined), limit]).finally(() => process.exit(code));
      });
    }
    const crash = (err: unknown) => {
      this.restore();
      this.stderr.write(`carrier telnet: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    };
    this.install('uncaughtException', crash);
    this.install('unhandledRejection', crash);
  }

  /** Idempotent and synchronous, so it is safe from an 'exit' handler. */
  restore(): void {
    if (this.restored) return;
    this.restored = true;
    if (this.raw) {
      try {
        this.input.setRawMode!(false);
      } catch {
        // The terminal is gone (the window closed): there is nothing left to restore.
      }
      this.raw = false;
    }
    if (this.output.isTTY) this.output.write(RESET_SCREEN);
    if (this.resizeFn) this.output.off('resize', this.resizeFn);
    this.resizeFn = undefined;
    this.input.pause();
    for (const [event, fn] of this.handlers.splice(0)) process.off(event, fn);
  }

  private install(event: string, fn: (...args: any[]) => void): void {
    process.on(event, fn);
    this.handlers.push([event, fn]);
  }
}
