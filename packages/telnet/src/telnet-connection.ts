import type net from 'node:net';
import { BaseConnection, type Encoding, type Logger } from '@carrier/core';
import { Cmd, isNegotiationCommand, optionName } from './constants.js';
import { TelnetDecoder, type TelnetEvent } from './decoder.js';
import { escapeIac } from './encoder.js';
import { ServerNegotiator, type NegotiatedTerminal, type NegotiationStep } from './negotiator.js';
import { AYT_REPLY, inputForCommand } from './nvt.js';

export interface NegotiationOutcome {
  /** 'answers': every question came back; 'deadline': the client stayed silent on some */
  settledBy: 'answers' | 'deadline';
  /** milliseconds from connect to hand-over */
  ms: number;
  terminal: NegotiatedTerminal;
}

export interface TelnetConnectionOptions {
  socket: net.Socket;
  remoteAddress: string;
  log: Logger;
  negotiationTimeoutMs: number;
  maxSubnegotiation: number;
  defaultEncoding: Encoding;
  maxOutputBuffer: number;
  /** called once, when negotiation settles, unless the connection closed first */
  onNegotiated: (conn: TelnetConnection, outcome: NegotiationOutcome) => void;
}

/** One AYT answer per this many ms: a 2-byte AYT must not buy 18 bytes of output each. */
const AYT_INTERVAL_MS = 1000;
/** After end(), a peer that never reads its last bytes is cut off after this long. */
const END_GRACE_MS = 2000;

/**
 * A caller on telnet: the socket adapter that runs the decoder and the negotiator, feeds
 * clean input to core's BaseConnection (which holds it until the session listens), and
 * doubles IAC on the way out. Created at accept; handed to the engine once negotiation
 * settles.
 */
export class TelnetConnection extends BaseConnection {
  private readonly socket: net.Socket;
  private readonly log: Logger;
  private readonly decoder: TelnetDecoder;
  private readonly negotiator: ServerNegotiator;
  private readonly opts: TelnetConnectionOptions;
  private readonly startedAt = Date.now();
  private readonly noted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private lastAyt = 0;
  private destroyOnEnd = false;
  private socketError: string | undefined;

  constructor(opts: TelnetConnectionOptions) {
    super({ protocol: 'telnet', remoteAddress: opts.remoteAddress, terminal: { encoding: opts.defaultEncoding } });
    this.opts = opts;
    this.socket = opts.socket;
    this.log = opts.log;
    this.decoder = new TelnetDecoder({ maxSubnegotiation: opts.maxSubnegotiation });
    this.negotiator = new ServerNegotiator({ defaultEncoding: opts.defaultEncoding });

    this.socket.on('data', (chunk: Buffer) => this.guard(() => this.onBytes(chunk)));
    this.socket.on('drain', () => this.emit('drain'));
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.socketError = err.code ?? err.name;
    });
    this.socket.on('close', () => {
      this.clearTimer();
      this.transportClosed(this.socketError ? `connection error (${this.socketError})` : 'caller hung up');
    });
  }

  /** Send the opening questions and start the deadline. */
  start(): void {
    this.writeSocket(this.negotiator.start());
    if (this.closed) return;
    this.timer = setTimeout(() => this.guard(() => this.settle('deadline')), this.opts.negotiationTimeoutMs);
  }

  /** ZMODEM and friends: CR, LF, NUL and 0xF2 reach the transfer as sent (IAC is still decoded and doubled). */
  setTransferMode(on: boolean): void {
    this.decoder.setTransparent(on);
  }

  /** The session's keys wait behind its rate: the rest stays in the caller's TCP window. */
  protected override pauseTransport(paused: boolean): void {
    if (paused) this.socket.pause();
    else this.socket.resume();
  }

  protected sendRaw(bytes: Buffer): boolean {
    return this.writeSocket(escapeIac(bytes));
  }

  protected endTransport(_reason: string): void {
    this.clearTimer();
    if (this.destroyOnEnd || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    this.socket.end();
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }

  private onBytes(chunk: Buffer): void {
    if (this.closed) return;
    for (const ev of this.decoder.push(chunk)) {
      if (this.closed) return;
      this.onEvent(ev);
    }
    if (!this.settled && !this.closed && this.negotiator.complete) this.settle('answers');
  }

  private onEvent(ev: TelnetEvent): void {
    switch (ev.type) {
      case 'data':
        this.pushInput(ev.bytes);
        return;
      case 'subnegotiation':
        this.apply(this.negotiator.handle(ev));
        return;
      case 'command':
        if (isNegotiationCommand(ev.command)) {
          this.apply(this.negotiator.handle({ type: 'command', command: ev.command, option: ev.option! }));
          return;
        }
        if (ev.command === Cmd.AYT) {
          const now = Date.now();
          if (now - this.lastAyt >= AYT_INTERVAL_MS) {
            this.lastAyt = now;
            this.writeSocket(AYT_REPLY);
          }
          return;
        }
        if (ev.command === Cmd.DM) this.note('telnet.synch', {});
        {
          const input = inputForCommand(ev.command);
          if (input) this.pushInput(input);
        }
        return;
      case 'error':
        if (ev.code === 'SUBNEGOTIATION_TOO_LONG') {
          this.log.warn('telnet.sb_overflow', {
            conn: this.id,
            remote: this.remoteAddress,
            option: optionName(ev.option ?? -1),
            limit: this.opts.maxSubnegotiation,
          });
          this.destroyOnEnd = true;
          this.close('subnegotiation too long');
          return;
        }
        this.note(`telnet.${ev.code.toLowerCase()}`, { option: ev.option, byte: ev.byte });
        return;
    }
  }

  private apply(step: NegotiationStep): void {
    for (const bytes of step.send) {
      if (!this.writeSocket(bytes) && this.closed) return;
    }
    for (const n of step.notes) this.note(n.event, n.fields);
    // Before hand-over the negotiator keeps the size for the result; after it, each report
    // is a resize (core emits 'resize' only when the size really changed).
    if (step.size && this.settled) this.setSize(step.size.cols, step.size.rows, 'naws');
  }

  private settle(by: NegotiationOutcome['settledBy']): void {
    if (this.settled || this.closed) return;
    this.settled = true;
    this.clearTimer();
    const t = this.negotiator.handOver();
    Object.assign(this.info, {
      type: t.type,
      types: t.types,
      cols: t.cols,
      rows: t.rows,
      sizeSource: t.sizeSource,
      encoding: t.encoding,
      encodingSource: t.encodingSource,
      env: t.env,
    });
    this.opts.onNegotiated(this, { settledBy: by, ms: Date.now() - this.startedAt, terminal: t });
  }

  private writeSocket(bytes: Buffer): boolean {
    if (this.closed || this.socket.destroyed || bytes.length === 0) return !this.closed;
    const ok = this.socket.write(bytes);
    if (this.socket.writableLength > this.opts.maxOutputBuffer) {
      this.log.warn('telnet.output_overflow', {
        conn: this.id,
        remote: this.remoteAddress,
        buffered: this.socket.writableLength,
        limit: this.opts.maxOutputBuffer,
      });
      this.destroyOnEnd = true;
      this.close('output buffer full: the caller stopped reading');
      return false;
    }
    return ok;
  }

  /**
   * Socket and timer callbacks run the session's listeners ('connection', 'data',
   * 'resize') synchronously; a throw there must end this caller, not the process.
   */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('telnet.crash', { conn: this.id, remote: this.remoteAddress, err });
      this.destroyOnEnd = true;
      this.close('internal error');
    }
  }

  /** A protocol oddity: one debug line per kind per connection, however often it recurs. */
  private note(event: string, fields: Record<string, unknown>): void {
    if (this.noted.has(event)) return;
    this.noted.add(event);
    this.log.debug(event, { conn: this.id, remote: this.remoteAddress, ...fields });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
