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

/**
 * Private messages and broadcasts typed while a paste waits go out ahead of it, at the next
 * line the rate allows: they are not part of the paste. At most this many wait so.
 */
export const OUTBOX_AHEAD = 5;

/** A line said to the room ('say', 'me'), or one to someone else, sent ahead of those ('private', 'broadcast'). */
export type OutboxLine = { kind: 'say' | 'me'; text: string } | { kind: 'private'; to: string; text: string } | { kind: 'broadcast'; text: string };

function toRoom(line: OutboxLine): boolean {
  return line.kind === 'say' || line.kind === 'me';
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
  /** private messages and broadcasts: sent before `lines` (OUTBOX_AHEAD) */
  private readonly ahead: OutboxLine[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;
  /** lines refused since the outbox last emptied (over OUTBOX_LINES or OUTBOX_CHARS) */
  private refused = 0;

  constructor(private readonly port: OutboxPort) {}

  /** Lines waiting to go out. */
  get waiting(): number {
    return this.lines.length + this.ahead.length;
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
    if (this.waiting === 0 && this.port.allowLine()) {
      this.port.send(line);
      return 'sent';
    }
    if (!toRoom(line)) {
      // Not counted in `unsent`: the caller is told at once, not when the paste has gone out.
      if (this.ahead.length >= OUTBOX_AHEAD) return 'full';
      this.ahead.push(line);
      this.sendDue();
      this.port.changed();
      return 'waiting';
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

  /**
   * Forget the lines to the room that wait (Esc, Ctrl-C, leaving the room); private messages
   * and broadcasts still go. Returns how many lines were dropped.
   */
  drop(): number {
    const n = this.lines.length;
    this.lines.length = 0;
    this.chars = 0;
    this.refused = 0;
    if (this.ahead.length === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (n > 0) this.port.changed();
    return n;
  }

  /** Forget everything that waits (a mute, the caller leaving chat); returns how many lines that was. */
  clear(): number {
    const n = this.ahead.length;
    this.ahead.length = 0;
    const inRoom = this.drop();
    if (n > 0 && inRoom === 0) this.port.changed();
    return n + inRoom;
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
    while (this.waiting > 0) {
      if (!this.port.mayTalk()) {
        this.clear();
        return;
      }
      if (!this.port.allowLine()) {
        this.timer = setTimeout(() => {
          this.sendDue();
          this.port.changed();
        }, Math.max(1, this.port.msUntilLine()));
        return;
      }
      const line = this.ahead.shift() ?? this.lines.shift()!;
      if (toRoom(line)) this.chars -= line.text.length;
      this.port.send(line);
    }
  }
}
