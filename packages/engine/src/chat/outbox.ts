/**
 * Lines a caller said faster than the room's line rate (chat.floodRate after
 * chat.floodBurst: a paste) wait here and go out at that rate, so the others see a paste at
 * the pace of any fast typist and nothing the caller typed is lost silently. The rate is the
 * per-user flood gate every line passes (BoardSocial), so one caller cannot make a room
 * busier than before; what waits is bounded per caller.
 */

/** At most this many lines wait (50 s at the default 2 a second); past it a line is not sent. */
export const OUTBOX_LINES = 100;
/** ...and at most this many characters (a hundred lines of the default 300 would be 30,000). */
export const OUTBOX_CHARS = 32 * 1024;

export interface OutboxLine {
  kind: 'say' | 'me';
  text: string;
}

/** What the outbox needs from the room. */
export interface OutboxPort {
  /** Counts one line when the caller's rate allows it now. */
  allowLine(): boolean;
  /** Milliseconds until the rate allows a line. */
  msUntilLine(): number;
  /** False when nothing may be sent any more (muted): what waits is dropped. */
  mayTalk(): boolean;
  send(line: OutboxLine): void;
  /** What waits (or was refused) changed: the room shows it. */
  changed(): void;
}

export class ChatOutbox {
  private readonly lines: OutboxLine[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;
  /** lines refused since the outbox last emptied (over OUTBOX_LINES or OUTBOX_CHARS) */
  private refused = 0;

  constructor(private readonly port: OutboxPort) {}

  /** Lines waiting to go out. */
  get waiting(): number {
    return this.lines.length;
  }

  /** Lines not sent because the outbox was full, since it last emptied. */
  get unsent(): number {
    return this.refused;
  }

  /**
   * A line said: sent now when nothing waits and the rate allows it, else it waits its turn;
   * past the bound it is refused ('full', counted in `unsent`).
   */
  say(line: OutboxLine): 'sent' | 'waiting' | 'full' {
    if (this.lines.length === 0 && this.port.allowLine()) {
      this.port.send(line);
      return 'sent';
    }
    if (this.lines.length >= OUTBOX_LINES || this.chars + line.text.length > OUTBOX_CHARS) {
      this.refused++;
      this.port.changed();
      return 'full';
    }
    this.lines.push(line);
    this.chars += line.text.length;
    this.sendDue();
    this.port.changed();
    return 'waiting';
  }

  /** Forget what waits (Esc, leaving the room, a mute); returns how many lines that was. */
  drop(): number {
    const n = this.lines.length;
    this.lines.length = 0;
    this.chars = 0;
    this.refused = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (n > 0) this.port.changed();
    return n;
  }

  /** The count of refused lines, reset: the room says it once, when the outbox has emptied. */
  takeUnsent(): number {
    const n = this.refused;
    this.refused = 0;
    return n;
  }

  private sendDue(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.lines.length > 0) {
      if (!this.port.mayTalk()) {
        this.drop();
        return;
      }
      if (!this.port.allowLine()) {
        this.timer = setTimeout(() => {
          this.sendDue();
          this.port.changed();
        }, Math.max(1, this.port.msUntilLine()));
        return;
      }
      const line = this.lines.shift()!;
      this.chars -= line.text.length;
      this.port.send(line);
    }
  }
}
