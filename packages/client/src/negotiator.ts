import { TERMINAL_LIMITS, encodingFromCharsetName, sanitizeToken, type Encoding } from '@carrier/core';
import {
  Cmd,
  Opt,
  QMethod,
  encodeCharsetAccepted,
  encodeCharsetRejected,
  encodeSubnegotiation,
  encodeCommand,
  encodeNaws,
  encodeNewEnvironIs,
  encodeTtypeIs,
  optionName,
  parseCharset,
  parseNewEnviron,
  parseTtype,
  type EnvEntry,
  type NegotiationCommand,
  type OptionPolicy,
  type QChange,
  type Side,
} from '@carrier/telnet';

export type OptionVerb = 'WILL' | 'WONT' | 'DO' | 'DONT';

/**
 * Called for every option command the server sends, before the default decision, as
 * telnetlib's option callback was. Return true to agree, false to refuse, nothing for the
 * default. Only WILL and DO are questions; WONT and DONT must be obeyed (RFC 854), so
 * the return value is ignored for them. The RFC 1143 state table still applies, so no
 * answer chosen here can start a negotiation loop.
 */
export type OptionCallback = (command: OptionVerb, option: number) => boolean | undefined | void;
/**
 * Answers a server's subnegotiation for an option the client has no built-in handler for
 * (TSPEED, XDISPLOC, old ENVIRON, or any other): return the payload to send back between
 * IAC SB <option> and IAC SE (IAC doubled for you), or undefined to send nothing.
 */
export type SubnegotiationCallback = (option: number, data: Buffer) => Buffer | undefined | void;

/**
 * Options a server questions with an SB SEND once the client agrees to them (RFC 1079,
 * 1096, 1408): agreeing without answering leaves a server waiting, often at its login.
 */
const ASKS_AFTER_AGREEMENT: ReadonlySet<number> = new Set([Opt.TSPEED, Opt.XDISPLOC, Opt.ENVIRON]);

export interface ClientNegotiatorOptions {
  /** answered in order to successive TTYPE SENDs, the last repeated; empty refuses TTYPE */
  terminalTypes: readonly string[];
  cols: number;
  rows: number;
  /** the only variables NEW-ENVIRON ever reveals; empty refuses NEW-ENVIRON */
  env: Readonly<Record<string, string>>;
  /** the charset a CHARSET REQUEST is answered with */
  encoding: Encoding;
  onOption?: OptionCallback | undefined;
  onSubnegotiation?: SubnegotiationCallback | undefined;
}

export interface ClientStep {
  /** bytes to write, in order */
  send: Buffer[];
  /** options whose state flipped */
  changes: QChange[];
  /** protocol oddities, for a debug log */
  notes: string[];
}

export type ClientNegotiationInput =
  | { type: 'command'; command: NegotiationCommand; option: number }
  | { type: 'subnegotiation'; option: number; data: Buffer };

/**
 * RFC 1572 defines these as VAR; every other name travels as USERVAR. Servers disagree on
 * which kind they ask for, so an answer follows the RFC's split, not the question's.
 */
const WELL_KNOWN_ENV = new Set(['USER', 'JOB', 'ACCT', 'PRINTER', 'SYSTEMTYPE', 'DISPLAY']);

/**
 * A server that asks DO TIMING-MARK after every line would get a WILL TM each time; one
 * that echoes our WILL TM back as DO TM would loop, so replies stop here (the same cap
 * carrier's server side uses).
 */
const MAX_TIMING_MARK_REPLIES = 32;

/** The RFC 1091 convention: the client repeats its last type to say the list has ended. */
function nextTypeIndex(current: number, count: number): number {
  return Math.min(current + 1, count - 1);
}

/**
 * The client's side of telnet option negotiation, pure: fed the decoder's command and
 * subnegotiation events, it returns what to send. Built on @carrier/telnet's role-neutral
 * RFC 1143 table with a client's policy: it performs TTYPE, NAWS, NEW-ENVIRON (only
 * for variables it was given), BINARY, SGA and CHARSET, lets the server do ECHO, SGA,
 * BINARY and CHARSET, and refuses everything else (LINEMODE, ENCRYPT, STATUS...).
 */
export class ClientNegotiator {
  private readonly q = new QMethod();
  private readonly types: string[];
  private readonly env: Readonly<Record<string, string>>;
  private readonly encoding: Encoding;
  private readonly onOption: OptionCallback | undefined;
  private readonly answerSubnegotiation: SubnegotiationCallback | undefined;
  private readonly defaults: OptionPolicy;
  private typeIndex = 0;
  private tmReplies = 0;
  private size: { cols: number; rows: number };

  constructor(opts: ClientNegotiatorOptions) {
    this.types = opts.terminalTypes
      .map((t) => sanitizeToken(t, TERMINAL_LIMITS.maxTypeLength))
      .filter((t) => t !== '');
    this.env = opts.env;
    this.encoding = opts.encoding;
    this.onOption = opts.onOption;
    this.answerSubnegotiation = opts.onSubnegotiation;
    this.size = { cols: opts.cols, rows: opts.rows };
    const us = new Set<number>([Opt.BINARY, Opt.SGA, Opt.NAWS, Opt.CHARSET]);
    if (this.types.length > 0) us.add(Opt.TTYPE);
    if (Object.keys(this.env).length > 0) us.add(Opt.NEW_ENVIRON);
    this.defaults = { us, him: new Set([Opt.ECHO, Opt.SGA, Opt.BINARY, Opt.CHARSET]) };
  }

  /** Whether an option is on: `us` we perform it, `him` the server does. */
  enabled(side: Side, option: number): boolean {
    return this.q.enabled(side, option);
  }

  handle(input: ClientNegotiationInput): ClientStep {
    const step: ClientStep = { send: [], changes: [], notes: [] };
    if (input.type === 'command') this.onCommand(input.command, input.option, step);
    else this.onSubnegotiation(input.option, input.data, step);
    return step;
  }

  /** The local window changed: a NAWS report when the server agreed to NAWS, else nothing. */
  resize(cols: number, rows: number): Buffer | undefined {
    this.size = { cols, rows };
    return this.q.enabled('us', Opt.NAWS) ? encodeNaws(cols, rows) : undefined;
  }

  private decide(command: NegotiationCommand, option: number): OptionPolicy {
    const verb = VERB_NAMES[command];
    const answer = this.onOption?.(verb, option);
    if (answer !== true && answer !== false) return this.defaults;
    const side = command === Cmd.DO || command === Cmd.DONT ? 'us' : 'him';
    const set = new Set(this.defaults[side]);
    // Agreeing to an option whose SEND nobody answers would hang the server: refused.
    if (answer && side === 'us' && ASKS_AFTER_AGREEMENT.has(option) && !this.answerSubnegotiation) set.delete(option);
    else if (answer) set.add(option);
    else set.delete(option);
    return side === 'us' ? { us: set, him: this.defaults.him } : { us: this.defaults.us, him: set };
  }

  private onCommand(command: NegotiationCommand, option: number, step: ClientStep): void {
    if (option === Opt.TIMING_MARK) {
      // A one-shot question (RFC 860), not a state: answered once earlier data is handled,
      // which is now, because events are handled in order.
      if (command !== Cmd.DO) return;
      const agree = this.onOption?.('DO', option) !== false;
      if (this.tmReplies >= MAX_TIMING_MARK_REPLIES) {
        step.notes.push('timing-mark flood: not answered');
        return;
      }
      this.tmReplies++;
      step.send.push(encodeCommand(agree ? Cmd.WILL : Cmd.WONT, Opt.TIMING_MARK));
      return;
    }
    const r = this.q.receive(command, option, this.decide(command, option));
    if (r.send) step.send.push(r.send);
    if (r.violation) step.notes.push(`${optionName(option)}: ${r.violation}`);
    if (r.ignored) step.notes.push(`${optionName(option)}: flapping, ignored`);
    if (!r.changed) return;
    step.changes.push(r.changed);
    // NAWS is reported as soon as it is agreed (RFC 1073), and after every resize.
    if (r.changed.side === 'us' && r.changed.option === Opt.NAWS && r.changed.enabled) {
      step.send.push(encodeNaws(this.size.cols, this.size.rows));
    }
  }

  private onSubnegotiation(option: number, data: Buffer, step: ClientStep): void {
    switch (option) {
      case Opt.TTYPE: {
        const msg = parseTtype(data);
        if (msg?.kind !== 'send' || !this.q.enabled('us', Opt.TTYPE)) {
          step.notes.push('ttype: not a SEND we agreed to, ignored');
          return;
        }
        step.send.push(encodeTtypeIs(this.types[this.typeIndex]!));
        this.typeIndex = nextTypeIndex(this.typeIndex, this.types.length);
        return;
      }
      case Opt.NEW_ENVIRON: {
        const msg = parseNewEnviron(data);
        if (msg?.kind !== 'send' || !this.q.enabled('us', Opt.NEW_ENVIRON)) {
          step.notes.push('new-environ: not a SEND we agreed to, ignored');
          return;
        }
        step.send.push(encodeNewEnvironIs(this.envAnswer(msg.vars.map((v) => v.name))));
        return;
      }
      case Opt.CHARSET: {
        const msg = parseCharset(data);
        if (msg?.kind !== 'request') return;
        if (!this.q.enabled('us', Opt.CHARSET) && !this.q.enabled('him', Opt.CHARSET)) {
          step.notes.push('charset: REQUEST without agreement, ignored');
          return;
        }
        const name = msg.truncated ? undefined : msg.names.find((n) => encodingFromCharsetName(n) === this.encoding);
        step.send.push(name ? encodeCharsetAccepted(name) : encodeCharsetRejected());
        return;
      }
      default: {
        const reply = this.answerSubnegotiation?.(option, data);
        if (reply) step.send.push(encodeSubnegotiation(option, reply));
        else step.notes.push(`${optionName(option)}: subnegotiation ignored`);
      }
    }
  }

  /**
   * The variables asked for that we were given, each once; an empty request means all of
   * them (RFC 1572). Nothing beyond the given env is ever sent: a client that volunteers
   * USER is how inetutils telnetd was owned (CVE-2026-24061), and a server has no business
   * reading the caller's environment.
   */
  private envAnswer(asked: readonly string[]): EnvEntry[] {
    const names = asked.length === 0 ? Object.keys(this.env) : [...new Set(asked)];
    const out: EnvEntry[] = [];
    for (const name of names) {
      if (!Object.hasOwn(this.env, name)) continue;
      out.push({ kind: WELL_KNOWN_ENV.has(name) ? 'var' : 'uservar', name, value: this.env[name] });
    }
    return out;
  }
}

const VERB_NAMES: Readonly<Record<NegotiationCommand, OptionVerb>> = {
  [Cmd.WILL]: 'WILL',
  [Cmd.WONT]: 'WONT',
  [Cmd.DO]: 'DO',
  [Cmd.DONT]: 'DONT',
};
