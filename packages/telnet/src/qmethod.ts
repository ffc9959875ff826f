import { Cmd, type NegotiationCommand } from './constants.js';
import { encodeCommand } from './encoder.js';

/**
 * RFC 1143 "Q method" option negotiation, as a pure table: it says what to send and
 * what changed, and never touches a socket. Role-neutral: a server and a client use the
 * same table with different policies.
 *
 * `us` is whether we perform an option (WILL/WONT from us, DO/DONT from the peer);
 * `him` is whether the peer performs it (DO/DONT from us, WILL/WONT from the peer).
 */
export type Side = 'us' | 'him';
export type QState = 'NO' | 'YES' | 'WANTNO' | 'WANTYES';

/** Which options we agree to when the peer asks. Everything else is refused. */
export interface OptionPolicy {
  /** options we agree to perform when the peer sends DO */
  readonly us: ReadonlySet<number>;
  /** options we agree to let the peer perform when it sends WILL */
  readonly him: ReadonlySet<number>;
}

export interface QChange {
  side: Side;
  option: number;
  enabled: boolean;
}

export interface QReceiveResult {
  /** the reply to send, if any (never a reply to a reply) */
  send?: Buffer;
  /** the option's effective state flipped (it is enabled only in state YES) */
  changed?: QChange;
  /** the peer broke RFC 1143 (e.g. answered DONT with WILL); logged, never answered */
  violation?: string;
  /** the peer kept flipping this option past the cap: the command was ignored */
  ignored?: 'flapping';
}

interface Entry {
  state: QState;
  /** RFC 1143 queue bit: the opposite of the current WANT was asked for meanwhile */
  opposite: boolean;
  /** replies sent to the peer's commands about this option/side */
  replies: number;
}

/**
 * A peer that flips one option forever would get one reply per flip for ever. Real
 * clients negotiate an option once or twice per connection (a user toggling modes a
 * few times more); past this many replies the option's commands are ignored, so
 * 10,000 flips cost at most this many replies.
 */
export const DEFAULT_MAX_REPLIES_PER_OPTION = 32;

export class QMethod {
  private readonly table = new Map<number, Entry>();
  private readonly maxReplies: number;

  constructor(opts: { maxRepliesPerOption?: number } = {}) {
    this.maxReplies = opts.maxRepliesPerOption ?? DEFAULT_MAX_REPLIES_PER_OPTION;
  }

  state(side: Side, option: number): QState {
    return this.table.get(key(side, option))?.state ?? 'NO';
  }

  enabled(side: Side, option: number): boolean {
    return this.state(side, option) === 'YES';
  }

  /** We asked and have not heard the answer yet. */
  pending(side: Side, option: number): boolean {
    const s = this.state(side, option);
    return s === 'WANTYES' || s === 'WANTNO';
  }

  /**
   * We want the option on (or off) on one side. Returns the bytes to send, or null when
   * nothing needs sending (already there, already asked, or queued behind an answer).
   */
  request(side: Side, option: number, enable: boolean): Buffer | null {
    const e = this.entry(side, option);
    const ask = (on: boolean): Buffer => encodeCommand(verb(side, on), option);
    if (enable) {
      switch (e.state) {
        case 'NO':
          e.state = 'WANTYES';
          return ask(true);
        case 'YES':
          return null;
        case 'WANTNO':
          // Ask again once the peer has confirmed the disable (queue bit).
          e.opposite = true;
          return null;
        case 'WANTYES':
          e.opposite = false;
          return null;
      }
    }
    switch (e.state) {
      case 'NO':
        return null;
      case 'YES':
        e.state = 'WANTNO';
        return ask(false);
      case 'WANTNO':
        e.opposite = false;
        return null;
      case 'WANTYES':
        e.opposite = true;
        return null;
    }
  }

  /** The peer sent WILL/WONT/DO/DONT <option>. */
  receive(command: NegotiationCommand, option: number, policy: OptionPolicy): QReceiveResult {
    const side: Side = command === Cmd.WILL || command === Cmd.WONT ? 'him' : 'us';
    const positive = command === Cmd.WILL || command === Cmd.DO;
    const e = this.entry(side, option);
    if (e.replies >= this.maxReplies) return { ignored: 'flapping' };
    const before = e.state === 'YES';
    const result: QReceiveResult = {};
    const reply = (on: boolean): void => {
      result.send = encodeCommand(verb(side, on), option);
      e.replies++;
    };

    if (positive) {
      const agree = side === 'us' ? policy.us.has(option) : policy.him.has(option);
      switch (e.state) {
        case 'NO':
          if (agree) {
            e.state = 'YES';
            reply(true);
          } else {
            reply(false);
          }
          break;
        case 'YES':
          // Already on: an answer to nothing, never answered (this is what stops loops).
          break;
        case 'WANTNO':
          result.violation = `${side === 'us' ? 'DONT' : 'WONT'} answered by ${side === 'us' ? 'DO' : 'WILL'}`;
          if (e.opposite) {
            e.state = 'YES';
            e.opposite = false;
          } else {
            e.state = 'NO';
          }
          break;
        case 'WANTYES':
          if (e.opposite) {
            e.state = 'WANTNO';
            e.opposite = false;
            reply(false);
          } else {
            e.state = 'YES';
          }
          break;
      }
    } else {
      switch (e.state) {
        case 'NO':
          break;
        case 'YES':
          e.state = 'NO';
          reply(false);
          break;
        case 'WANTNO':
          if (e.opposite) {
            e.state = 'WANTYES';
            e.opposite = false;
            reply(true);
          } else {
            e.state = 'NO';
          }
          break;
        case 'WANTYES':
          e.state = 'NO';
          e.opposite = false;
          break;
      }
    }
    const after = e.state === 'YES';
    if (before !== after) result.changed = { side, option, enabled: after };
    return result;
  }

  private entry(side: Side, option: number): Entry {
    const k = key(side, option);
    let e = this.table.get(k);
    if (!e) {
      e = { state: 'NO', opposite: false, replies: 0 };
      this.table.set(k, e);
    }
    return e;
  }
}

function key(side: Side, option: number): number {
  return side === 'us' ? option : 256 + option;
}

/** What we send about a side: our own performing is WILL/WONT, the peer's is DO/DONT. */
function verb(side: Side, on: boolean): NegotiationCommand {
  if (side === 'us') return on ? Cmd.WILL : Cmd.WONT;
  return on ? Cmd.DO : Cmd.DONT;
}
