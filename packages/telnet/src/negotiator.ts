import {
  TERMINAL_LIMITS,
  clampSize,
  client,
  encodingForTerminalType,
  encodingFromCharsetName,
  encodingFromEnv,
  sanitizeToken,
  type Encoding,
  type EncodingSource,
} from '@carrier/core';
import { Cmd, Opt, optionName, type NegotiationCommand } from './constants.js';
import {
  encodeCharsetAccepted,
  encodeCharsetRejected,
  encodeCharsetRequest,
  encodeCommand,
  encodeNewEnvironSend,
  encodeTtypeSend,
  type EnvVarRef,
} from './encoder.js';
import { chooseCharset, parseCharset } from './options/charset.js';
import { parseNaws } from './options/naws.js';
import { mergeEnv, parseNewEnviron } from './options/new-environ.js';
import { MttsBit, TerminalTypeCycle, parseTtype } from './options/ttype.js';
import { QMethod, type OptionPolicy, type QChange, type Side } from './qmethod.js';

/** What negotiation learned, in the shape core's TerminalInfo wants. */
export interface NegotiatedTerminal {
  type: string;
  types: string[];
  cols: number;
  rows: number;
  sizeSource: 'naws' | 'default';
  encoding: Encoding;
  encodingSource: EncodingSource;
  env: Record<string, string>;
}

/** A protocol oddity worth at most one log line per connection. */
export interface NegotiationNote {
  event: string;
  fields: Record<string, unknown>;
}

export interface NegotiationStep {
  /** bytes to write, in order */
  send: Buffer[];
  /** a NAWS size report, every time one arrives (raw, the receiver clamps) */
  size?: { cols: number; rows: number };
  notes: NegotiationNote[];
}

export type NegotiationInput =
  | { type: 'command'; command: NegotiationCommand; option: number }
  | { type: 'subnegotiation'; option: number; data: Buffer };

/**
 * What carrier agrees to. Deny by default: LINEMODE (its SLC table is where inetutils
 * telnetd overflowed, CVE-2026-32746), old ENVIRON (VAR/VALUE swapped in the wild),
 * STATUS, XDISPLOC, ENCRYPT, AUTHENTICATION, LFLOW, TSPEED, and a client's WILL ECHO
 * (which would make both ends echo) all get WONT/DONT.
 */
export const SERVER_POLICY: OptionPolicy = {
  us: new Set([Opt.ECHO, Opt.SGA, Opt.BINARY, Opt.CHARSET]),
  him: new Set([Opt.SGA, Opt.BINARY, Opt.TTYPE, Opt.NAWS, Opt.NEW_ENVIRON, Opt.CHARSET]),
};

/**
 * Asked on connect. WILL ECHO + WILL SGA (+ DO SGA) is character-at-a-time mode, which
 * BBS clients expect. Both CHARSET directions are offered: RFC 2066 lets only the side that
 * sent WILL and got DO send a REQUEST, and clients differ in which side they take.
 */
const INITIAL_ASKS: readonly (readonly [Side, number])[] = [
  ['us', Opt.ECHO],
  ['us', Opt.SGA],
  ['him', Opt.SGA],
  ['us', Opt.BINARY],
  ['him', Opt.BINARY],
  ['him', Opt.TTYPE],
  ['him', Opt.NAWS],
  ['him', Opt.NEW_ENVIRON],
  ['him', Opt.CHARSET],
  ['us', Opt.CHARSET],
];

/** UTF-8 first: a client that takes it is a modern terminal; CP437 is what BBS terminals speak. */
const CHARSET_OFFER = ['UTF-8', 'CP437', 'IBM437'];

/**
 * Variables asked for. USER is the only one RFC 1572 defines here; the rest are user
 * variables, but clients disagree on which type they answer, so they are asked as both.
 */
const ENV_WELL_KNOWN = ['USER'];
const ENV_USER_VARS = ['TERM', 'LANG', 'LC_ALL', 'LC_CTYPE', 'COLUMNS', 'LINES', 'COLORTERM'];

/**
 * A client may ask DO TIMING-MARK after IP or AO (RFC 860) and gets WILL TM each time;
 * a peer that echoes our WILL TM back as DO TM would loop, so replies stop here.
 */
const MAX_TIMING_MARK_REPLIES = 32;

/**
 * Carrier's side of telnet option negotiation, pure: fed the decoder's command and
 * subnegotiation events, it returns what to send and what it learned. It never sees a
 * socket or a clock; the caller owns the deadline and calls `handOver` when it settles.
 */
export class ServerNegotiator {
  private readonly q = new QMethod();
  private readonly defaultEncoding: Encoding;
  private readonly ttype = new TerminalTypeCycle();
  private ttypeOutstanding = false;
  private tmOutstanding = false;
  private tmReplies = 0;
  private naws: { cols: number; rows: number } | undefined;
  private readonly env: Record<string, string> = {};
  private envRequested = false;
  private envOutstanding = 0;
  private charset: Encoding | undefined;
  private charsetOutstanding = false;
  private handedOver = false;
  private started = false;

  constructor(opts: { defaultEncoding?: Encoding } = {}) {
    this.defaultEncoding = opts.defaultEncoding ?? 'cp437';
  }

  /** The questions sent on connect, ending with DO TIMING-MARK as a round-trip barrier. */
  start(): Buffer {
    if (this.started) return Buffer.alloc(0);
    this.started = true;
    const out: Buffer[] = [];
    for (const [side, option] of INITIAL_ASKS) {
      const b = this.q.request(side, option, true);
      if (b) out.push(b);
    }
    out.push(encodeCommand(Cmd.DO, Opt.TIMING_MARK));
    this.tmOutstanding = true;
    return Buffer.concat(out);
  }

  handle(input: NegotiationInput): NegotiationStep {
    const step: NegotiationStep = { send: [], notes: [] };
    if (input.type === 'command') this.onCommand(input.command, input.option, step);
    else this.onSubnegotiation(input.option, input.data, step);
    this.advance(step);
    return step;
  }

  /** Every question asked has its answer: the caller may hand the connection over now. */
  get complete(): boolean {
    for (const [side, option] of INITIAL_ASKS) if (this.q.pending(side, option)) return false;
    if (this.tmOutstanding) return false;
    if (this.q.enabled('him', Opt.TTYPE) && !this.ttype.done) return false;
    if (this.q.enabled('him', Opt.NAWS) && !this.naws) return false;
    if (this.q.enabled('him', Opt.NEW_ENVIRON) && (!this.envRequested || this.envOutstanding > 0)) return false;
    if (this.charsetOutstanding) return false;
    return true;
  }

  /**
   * Negotiation is over (answered or out of time): stop asking, ignore late answers to
   * questions about the terminal, and return what was learned. Option commands, NAWS
   * updates and CHARSET requests are still handled afterwards.
   */
  handOver(): NegotiatedTerminal {
    this.handedOver = true;
    this.ttype.stop();
    return this.result();
  }

  result(): NegotiatedTerminal {
    let types = [...this.ttype.answers];
    let type = this.ttype.type;
    if (type === undefined && this.env['TERM']) {
      // A client that refused TTYPE may still have said TERM in its environment.
      const fromEnv = sanitizeToken(this.env['TERM'], TERMINAL_LIMITS.maxTypeLength, true);
      if (fromEnv) {
        type = fromEnv;
        types = [fromEnv];
      }
    }

    let cols: number = TERMINAL_LIMITS.defaultCols;
    let rows: number = TERMINAL_LIMITS.defaultRows;
    let sizeSource: 'naws' | 'default' = 'default';
    if (this.naws) {
      const s = clampSize(this.naws.cols, this.naws.rows);
      if (s.sane) {
        cols = s.cols;
        rows = s.rows;
        sizeSource = 'naws';
      }
    }

    let encoding = this.defaultEncoding;
    let encodingSource: EncodingSource = 'default';
    const fromEnv = encodingFromEnv(this.env);
    const fromType = [type, ...types].map((t) => (t ? encodingForTerminalType(t) : undefined)).find((e) => e);
    if (this.charset) {
      encoding = this.charset;
      encodingSource = 'charset';
    } else if (fromEnv) {
      encoding = fromEnv;
      encodingSource = 'lang';
    } else if (this.ttype.mtts !== undefined && (this.ttype.mtts & MttsBit.UTF8) !== 0) {
      encoding = 'utf8';
      encodingSource = 'ttype';
    } else if (fromType) {
      encoding = fromType;
      encodingSource = 'ttype';
    }

    return { type: type ?? 'unknown', types, cols, rows, sizeSource, encoding, encodingSource, env: { ...this.env } };
  }

  private onCommand(command: NegotiationCommand, option: number, step: NegotiationStep): void {
    if (option === Opt.TIMING_MARK) {
      // TIMING-MARK is a one-shot question, not a state (RFC 860): kept out of the Q table.
      if (command === Cmd.DO) {
        if (this.tmReplies < MAX_TIMING_MARK_REPLIES) {
          this.tmReplies++;
          step.send.push(encodeCommand(Cmd.WILL, Opt.TIMING_MARK));
        } else {
          step.notes.push({ event: 'telnet.tm_flood', fields: {} });
        }
      } else if ((command === Cmd.WILL || command === Cmd.WONT) && this.tmOutstanding) {
        this.tmOutstanding = false;
      }
      return;
    }
    const r = this.q.receive(command, option, SERVER_POLICY);
    if (r.send) step.send.push(r.send);
    if (r.violation) step.notes.push({ event: 'telnet.negotiation_violation', fields: { option: optionName(option), detail: r.violation } });
    if (r.ignored) step.notes.push({ event: 'telnet.option_flapping', fields: { option: optionName(option) } });
    if (r.send && (command === Cmd.WILL || command === Cmd.DO) && !r.changed) {
      step.notes.push({ event: 'telnet.option_refused', fields: { option: optionName(option), command: command === Cmd.WILL ? 'WILL' : 'DO' } });
    }
    if (r.changed) this.onChanged(r.changed, step);
  }

  private onChanged(change: QChange, step: NegotiationStep): void {
    const { side, option, enabled } = change;
    if (side === 'him' && option === Opt.TTYPE) {
      if (enabled && !this.ttype.done && !this.handedOver) {
        step.send.push(encodeTtypeSend());
        this.ttypeOutstanding = true;
      } else if (!enabled) {
        this.ttype.stop();
        this.ttypeOutstanding = false;
      }
    } else if (side === 'him' && option === Opt.NEW_ENVIRON && !enabled) {
      this.envOutstanding = 0;
    } else if (side === 'us' && option === Opt.CHARSET) {
      if (enabled && !this.handedOver) {
        step.send.push(encodeCharsetRequest(CHARSET_OFFER));
        this.charsetOutstanding = true;
      } else if (!enabled) {
        this.charsetOutstanding = false;
      }
    }
  }

  private onSubnegotiation(option: number, data: Buffer, step: NegotiationStep): void {
    switch (option) {
      case Opt.NAWS: {
        // Accepted with or without a WILL first: some clients send the size unasked.
        const size = parseNaws(data);
        if (!size) {
          step.notes.push({ event: 'telnet.naws_malformed', fields: { length: data.length } });
          return;
        }
        this.naws = size;
        step.size = size;
        return;
      }
      case Opt.TTYPE:
        return this.onTtype(data, step);
      case Opt.NEW_ENVIRON:
        return this.onEnviron(data, step);
      case Opt.CHARSET:
        return this.onCharset(data, step);
      default:
        // LINEMODE's SLC table among them: never parsed.
        step.notes.push({ event: 'telnet.sb_ignored', fields: { option: optionName(option), length: data.length } });
    }
  }

  private onTtype(data: Buffer, step: NegotiationStep): void {
    const msg = parseTtype(data);
    if (msg?.kind !== 'is' || !this.ttypeOutstanding) {
      step.notes.push({ event: 'telnet.ttype_unsolicited', fields: { length: data.length } });
      return;
    }
    this.ttypeOutstanding = false;
    if (this.ttype.accept(msg.name) && !this.handedOver) {
      step.send.push(encodeTtypeSend());
      this.ttypeOutstanding = true;
    }
  }

  private onEnviron(data: Buffer, step: NegotiationStep): void {
    const msg = parseNewEnviron(data);
    if (!msg || msg.kind === 'send') {
      step.notes.push({ event: 'telnet.env_ignored', fields: { length: data.length } });
      return;
    }
    if (this.handedOver) {
      step.notes.push({ event: 'telnet.env_late', fields: {} });
      return;
    }
    // Unsolicited IS and INFO are taken too (RFC 1572 allows INFO at any time).
    const dropped = mergeEnv(this.env, msg.entries);
    if (msg.truncated || dropped > 0) step.notes.push({ event: 'telnet.env_truncated', fields: { entries: msg.entries.length, dropped } });
    if (msg.kind === 'is' && this.envOutstanding > 0) this.envOutstanding--;
  }

  private onCharset(data: Buffer, step: NegotiationStep): void {
    const msg = parseCharset(data);
    if (!msg || msg.kind === 'ttable') {
      step.notes.push({ event: 'telnet.charset_ignored', fields: { length: data.length } });
      return;
    }
    if (msg.kind === 'request') {
      // Our own REQUEST is outstanding: RFC 2066 has the server ignore the client's,
      // and the client answer ours.
      if (this.charsetOutstanding) return;
      const choice = msg.truncated || this.handedOver ? undefined : chooseCharset(msg.names);
      if (msg.truncated) step.notes.push({ event: 'telnet.charset_request_too_long', fields: { names: msg.names.length } });
      if (choice) {
        this.charset = choice.encoding;
        step.send.push(encodeCharsetAccepted(choice.name));
      } else {
        step.send.push(encodeCharsetRejected());
      }
      return;
    }
    if (!this.charsetOutstanding) {
      step.notes.push({ event: 'telnet.charset_unsolicited', fields: { kind: msg.kind } });
      return;
    }
    this.charsetOutstanding = false;
    if (msg.kind === 'accepted') {
      const encoding = encodingFromCharsetName(msg.name);
      if (encoding) this.charset = encoding;
      else step.notes.push({ event: 'telnet.charset_unknown', fields: { name: client(msg.name) } });
    }
  }

  /** Questions that wait on an earlier answer. */
  private advance(step: NegotiationStep): void {
    if (this.handedOver || this.envRequested || !this.q.enabled('him', Opt.NEW_ENVIRON)) return;
    // Windows telnet crashes when asked for USER without -l; it announces itself as
    // "ANSI" on the first TTYPE answer, so the env request waits for that answer.
    if (this.q.pending('him', Opt.TTYPE)) return;
    const firstType = this.ttype.answers[0];
    if (this.q.enabled('him', Opt.TTYPE) && firstType === undefined && !this.ttype.done) return;
    const vars: EnvVarRef[] = [];
    if (firstType !== 'ansi') for (const name of ENV_WELL_KNOWN) vars.push({ kind: 'var', name });
    for (const name of ENV_USER_VARS) vars.push({ kind: 'var', name }, { kind: 'uservar', name });
    const requests = encodeNewEnvironSend(vars);
    step.send.push(...requests);
    this.envRequested = true;
    this.envOutstanding = requests.length;
  }
}
