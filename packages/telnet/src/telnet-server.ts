import type net from 'node:net';
import { BANNED_TEXT, BaseServer, client, type AcceptContext, type BaseServerOptions, type Encoding } from '@carrier/core';
import { TelnetConnection, type NegotiationOutcome } from './telnet-connection.js';

export interface TelnetServerOptions extends Omit<BaseServerOptions, 'protocol'> {
  /** a client that answers nothing is let through after this long (default 1500 ms) */
  negotiationTimeoutMs?: number;
  /** longest subnegotiation kept; a longer one closes the connection (default 64 KiB) */
  maxSubnegotiation?: number;
  /** encoding when negotiation learns none; the engine then probes (default 'cp437') */
  defaultEncoding?: Encoding;
  /** unsent output past this closes the connection: the caller stopped reading (default 1 MiB) */
  maxOutputBuffer?: number;
}

export const TELNET_DEFAULTS = {
  /**
   * Long enough for a client across an ocean to answer one round trip plus its TTYPE
   * cycle; short next to x/84's 3.5 s or ENiGMA's 3 s, and only silent clients wait it out.
   */
  negotiationTimeoutMs: 1500,
  /** CHARSET lists and env answers fit in a few hundred bytes; 64 KiB is generous */
  maxSubnegotiation: 65536,
  defaultEncoding: 'cp437' as Encoding,
  /** about four screens of full-colour art, far more than a reading caller ever lags */
  maxOutputBuffer: 1024 * 1024,
} as const;

/**
 * The telnet front end: core's BaseServer does accept, caps and the ban gate; each
 * socket gets a TelnetConnection that negotiates, and 'connection' is emitted with it once
 * negotiation settles (every question answered, or the deadline).
 */
export class TelnetServer extends BaseServer {
  private readonly telnet: Required<Pick<TelnetServerOptions, keyof typeof TELNET_DEFAULTS>>;

  constructor(opts: TelnetServerOptions) {
    super({ ...opts, protocol: 'telnet' });
    this.telnet = {
      negotiationTimeoutMs: opts.negotiationTimeoutMs ?? TELNET_DEFAULTS.negotiationTimeoutMs,
      maxSubnegotiation: opts.maxSubnegotiation ?? TELNET_DEFAULTS.maxSubnegotiation,
      defaultEncoding: opts.defaultEncoding ?? TELNET_DEFAULTS.defaultEncoding,
      maxOutputBuffer: opts.maxOutputBuffer ?? TELNET_DEFAULTS.maxOutputBuffer,
    };
  }

  /** A refused caller reads one short line before the socket closes. */
  protected override refusalText(reason: string): string {
    return reason === 'banned' ? BANNED_TEXT : `carrier: ${reason}. Please call again later.\r\n`;
  }

  protected handleSocket(socket: net.Socket, ctx: AcceptContext): void {
    const conn = new TelnetConnection({
      socket,
      remoteAddress: ctx.remoteAddress,
      log: this.log,
      ...this.telnet,
      onNegotiated: (c, outcome) => this.onNegotiated(c, outcome, ctx),
    });
    conn.start();
  }

  private onNegotiated(conn: TelnetConnection, outcome: NegotiationOutcome, ctx: AcceptContext): void {
    const t = outcome.terminal;
    this.log.info('telnet.negotiated', {
      conn: conn.id,
      remote: conn.remoteAddress,
      type: client(t.type),
      cols: t.cols,
      rows: t.rows,
      encoding: t.encoding,
      encodingSource: t.encodingSource,
      sizeSource: t.sizeSource,
      settledBy: outcome.settledBy,
      ms: outcome.ms,
    });
    // ctx ties the Connection to its socket's admission ticket (a login frees a start-up slot).
    this.resolve(conn, ctx);
  }
}
