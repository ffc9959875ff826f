import { CarrierError, ConnectionClosedError, ErrorCodes, isCarrierError, type Logger } from '@carrier/core';

/**
 * Thrown (as a rejected promise) by `goto`, caught by the frame that runs the script.
 * Not an Error: it is control flow, and capturing a stack trace per goto would be waste.
 */
export class GotoSignal {
  constructor(
    readonly name: string,
    readonly args: readonly unknown[],
  ) {}
}

/** gosub nesting beyond this is a runaway recursion, not a menu tree. */
export const MAX_SCRIPT_DEPTH = 64;
/**
 * A frame that keeps replacing itself without the caller typing anything is spinning
 * (a menu that gotos itself on every pass). Far above any real chain of screens.
 */
export const MAX_GOTOS_WITHOUT_INPUT = 10_000;

export const APOLOGY = 'Sorry, something went wrong. Back to where you were.';
/** What a caller is told when a script failed because the database is not answering. */
export const STORE_APOLOGY = "Sorry, the board's database is not answering right now. Please try again in a few minutes.";

export interface StackHost<S> {
  /** the argument every script function receives first */
  readonly session: S;
  readonly log: Logger;
  load(name: string): Promise<(session: S, ...args: any[]) => unknown>;
  /** true once the connection is gone: errors then mean "unwind", not "apologize" */
  isClosed(): boolean;
  /** keys read so far; a goto loop is only a loop when this does not move */
  inputCount(): number;
  /**
   * Show the caller a short apology after a script failed; the frame below resumes when
   * this resolves (the session waits for a key, so the menu's redraw cannot wipe it).
   */
  apologize(text: string): void | Promise<void>;
}

export type FrameOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Frame {
  name: string;
  /** a goto the script asked for without awaiting it; honoured when the script returns */
  requested: GotoSignal | undefined;
}

/**
 * The x/84 script stack. Each gosub runs one frame; goto replaces the script running in
 * the top frame (a loop inside the frame, so a chain of gotos never deepens the JS stack
 * or the frame list); a failing script is logged, the caller gets an apology, and the
 * frame ends so control returns to the frame below.
 */
export class ScriptStack<S> {
  private readonly frames: Frame[] = [];

  constructor(private readonly host: StackHost<S>) {}

  /** Script names from the bottom frame to the top. */
  names(): string[] {
    return this.frames.map((f) => f.name);
  }

  get depth(): number {
    return this.frames.length;
  }

  /**
   * Ask the top frame to replace its script. Returns a rejected promise so both
   * `return s.goto(x)` and `await s.goto(x)` unwind the script right there; the rejection
   * is pre-handled so a forgotten `await` cannot become an unhandled rejection.
   */
  goto(name: string, args: readonly unknown[]): Promise<never> {
    const top = this.frames[this.frames.length - 1];
    if (!top) return handledRejection(new CarrierError(ErrorCodes.SCRIPT_FAILED, 'goto called outside a running script'));
    const signal = new GotoSignal(name, args);
    top.requested = signal;
    return handledRejection(signal);
  }

  /** Run `name` in a new frame and give back its return value (undefined when it failed). */
  async gosub(name: string, args: readonly unknown[]): Promise<unknown> {
    const outcome = await this.run(name, args);
    if (!outcome.ok && this.host.isClosed()) throw outcome.error;
    return outcome.ok ? outcome.value : undefined;
  }

  /**
   * Run one frame to its end. A closed connection ends it with `ok: false` and the
   * error (ConnectionClosedError) so the frames below unwind too.
   */
  async run(name: string, args: readonly unknown[]): Promise<FrameOutcome> {
    if (this.frames.length >= MAX_SCRIPT_DEPTH) {
      const error = new CarrierError(ErrorCodes.SCRIPT_FAILED, `gosub nested deeper than ${MAX_SCRIPT_DEPTH} scripts`, {
        script: name,
        stack: this.names().slice(-5),
      });
      return this.failed(name, error);
    }
    const frame: Frame = { name, requested: undefined };
    this.frames.push(frame);
    try {
      let next: { name: string; args: readonly unknown[] } = { name, args };
      let gotosWithoutInput = 0;
      let inputMark = this.host.inputCount();
      for (;;) {
        frame.name = next.name;
        frame.requested = undefined;
        let signal: GotoSignal | undefined;
        try {
          const fn = await this.host.load(next.name);
          const value = await fn(this.host.session, ...next.args);
          signal = frame.requested;
          if (!signal) return { ok: true, value };
        } catch (err) {
          if (!(err instanceof GotoSignal)) return this.failed(frame.name, err);
          signal = err;
        }
        if (this.host.isClosed()) return { ok: false, error: closedError() };
        const inputNow = this.host.inputCount();
        gotosWithoutInput = inputNow === inputMark ? gotosWithoutInput + 1 : 0;
        inputMark = inputNow;
        if (gotosWithoutInput >= MAX_GOTOS_WITHOUT_INPUT) {
          return this.failed(
            frame.name,
            new CarrierError(ErrorCodes.SCRIPT_FAILED, `${MAX_GOTOS_WITHOUT_INPUT} gotos in a row without input`, {
              script: frame.name,
              target: signal.name,
            }),
          );
        }
        next = signal;
      }
    } finally {
      this.frames.pop();
    }
  }

  private async failed(name: string, error: unknown): Promise<FrameOutcome> {
    if (this.host.isClosed() || isCarrierError(error, ErrorCodes.CONNECTION_CLOSED)) {
      return { ok: false, error: isCarrierError(error, ErrorCodes.CONNECTION_CLOSED) ? error : closedError() };
    }
    this.host.log.error('script.error', { script: name, stack: this.names(), err: error });
    try {
      await this.host.apologize(isCarrierError(error, ErrorCodes.STORE_UNAVAILABLE) ? STORE_APOLOGY : APOLOGY);
    } catch (err) {
      // The caller hung up while the apology waited for a key: unwind, as for any hang-up.
      if (this.host.isClosed() || isCarrierError(err, ErrorCodes.CONNECTION_CLOSED)) return { ok: false, error: closedError() };
      throw err;
    }
    return { ok: false, error };
  }
}

function closedError(): ConnectionClosedError {
  return new ConnectionClosedError('session ended');
}

function handledRejection(reason: unknown): Promise<never> {
  const p = Promise.reject(reason);
  p.catch(() => undefined);
  return p;
}
