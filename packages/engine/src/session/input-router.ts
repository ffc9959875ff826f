// Where a caller's input bytes go: to a transfer that took the raw input, nowhere while a
// door holds the keyboard or a full-screen view reads it itself, to a chat-request
// answer, or into the key queue the scripts read. The idle clock counts every byte.

/** While a transfer has the raw input, the idle clock is pushed back this often. */
const RAW_INPUT_IDLE_TOUCH_MS = 5_000;

export interface InputRouterHost {
  /** a full-screen view is open (it reads the keys itself) */
  viewOpen(): boolean;
  /** the social layer took the bytes (a chat-request answer) */
  intercept(bytes: Buffer): boolean;
  /** queue the bytes as keys for the scripts */
  queue(bytes: Buffer): void;
  /** the caller did something (idle clock) */
  touch(): void;
  /** held input or a transfer ended: show what was held back */
  released(): void;
}

/** What reads the caller's connection itself, in words for a person (a sysop told the caller is busy). */
export type InputHolder = 'a file transfer' | 'a door' | 'a chat with the sysop';

/** takeRawInput() while another part of the session reads the connection; `what` names it for a person. */
export class InputBusyError extends Error {
  constructor(
    readonly what: InputHolder,
    message: string,
  ) {
    super(message);
    this.name = 'InputBusyError';
  }
}

export class InputRouter {
  /** holdInput() calls not yet released */
  private holds = 0;
  private rawSink: ((bytes: Buffer) => void) | undefined;
  private rawAbort: Buffer | undefined;
  /** who took the raw input, named when someone else asks for it */
  private rawHolder: InputHolder = 'a file transfer';
  /** whenFree() calls waiting for the raw sink to let go */
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly host: InputRouterHost) {}

  /** Nothing but the holder reads the connection (a door, a transfer). */
  get held(): boolean {
    return this.holds > 0 || this.rawSink !== undefined;
  }

  push(bytes: Buffer): void {
    this.host.touch();
    if (this.rawSink) this.rawSink(bytes);
    // A full-screen view reads the keys itself, and a door reads the connection;
    // queueing them too would replay them later.
    else if (!this.host.viewOpen() && this.holds === 0 && !this.host.intercept(bytes)) this.host.queue(bytes);
  }

  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.host.released();
    };
  }

  /** A door reads the connection itself (holdInput), as opposed to a transfer or the break-in chat (takeRaw). */
  get doorHeld(): boolean {
    return this.holds > 0;
  }

  /** What reads the connection now, if anything does. */
  get holder(): InputHolder | undefined {
    return this.rawSink ? this.rawHolder : this.holds > 0 ? 'a door' : undefined;
  }

  /** What ends the peer's side of the raw input's reader (a ZMODEM abort), while one has it. */
  get abort(): Buffer | undefined {
    return this.rawSink ? this.rawAbort : undefined;
  }

  /**
   * Resolves once no sink has the raw input (the sysop's break-in chat ends): a transfer
   * or a door that was starting waits for it, then takes the input in the same turn.
   */
  whenFree(): Promise<void> {
    if (!this.rawSink) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** `holder` names the taker for the InputBusyError of whoever asks next. */
  takeRaw(sink: (bytes: Buffer) => void, abort?: Buffer, holder: InputHolder = 'a file transfer'): () => void {
    if (this.rawSink) throw new InputBusyError(this.rawHolder, `takeRawInput: another sink already has the input (${this.rawHolder})`);
    // A door reads the connection itself: a second reader would split the caller's keys between them.
    if (this.holds > 0) throw new InputBusyError('a door', 'takeRawInput: a door holds the input');
    this.rawSink = sink;
    this.rawAbort = abort;
    this.rawHolder = holder;
    // A long download may see no byte from the caller for minutes: the transfer is activity.
    const busy = setInterval(() => this.host.touch(), RAW_INPUT_IDLE_TOUCH_MS);
    busy.unref();
    return () => {
      if (this.rawSink !== sink) return;
      clearInterval(busy);
      this.rawSink = undefined;
      this.rawAbort = undefined;
      this.host.released();
      for (const resolve of this.waiting.splice(0)) resolve();
    };
  }
}
