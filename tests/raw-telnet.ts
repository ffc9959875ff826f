// A small telnet caller for end-to-end tests. It reads the board's output as raw bytes so
// tests can assert on encodings: protocol bytes are left in `bytes`; `text()` drops them.
// By default it negotiates as inetutils telnet does (the client library's negotiator:
// BINARY, SGA and ECHO agreed, TTYPE and NAWS when given, TIMING-MARK answered, the rest
// refused), so the board's negotiation settles on its last answer instead of waiting out
// its deadline (1.5 s per login). `silent` is the bot or script that answers nothing.
import net from 'node:net';
import { ClientNegotiator, type ClientStep } from '@carrier/client/testing';
import { eventually } from '@carrier/core/testing';
import { Opt, TelnetDecoder } from '@carrier/telnet';

const IAC = 0xff, SB = 0xfa, SE = 0xf0;

export interface RawTelnetOptions {
  port: number;
  host?: string;
  localAddress?: string;
  /** agree to TTYPE and answer every SEND with this type; without it TTYPE is refused */
  terminalType?: string;
  /** agree to NAWS and report this size; without it NAWS is refused */
  size?: { cols: number; rows: number };
  /**
   * answer no option at all, TIMING-MARK included, as a bot or a script does: the board
   * waits out its negotiation deadline. Cannot be combined with terminalType or size.
   */
  silent?: boolean;
}

export class RawTelnet {
  bytes = Buffer.alloc(0);
  closed = false;
  private readonly socket: net.Socket;
  private waiters: (() => void)[] = [];
  private readonly decoder: TelnetDecoder | undefined;
  private readonly negotiator: ClientNegotiator | undefined;

  private constructor(socket: net.Socket, opts: RawTelnetOptions) {
    this.socket = socket;
    if (!opts.silent) {
      // The output is kept as sent (CR NUL stays), and 0xF2 is data: the decoder only finds the questions.
      this.decoder = new TelnetDecoder({ normalizeEnter: false, dropBareDataMark: false });
      this.negotiator = new ClientNegotiator({
        terminalTypes: opts.terminalType === undefined ? [] : [opts.terminalType],
        cols: opts.size?.cols ?? 80,
        rows: opts.size?.rows ?? 24,
        env: {},
        // CHARSET is refused below (as inetutils does), so no REQUEST is ever answered with this.
        encoding: 'utf8',
        // Refused, so the encoding a test sees follows from the terminal type alone, and no
        // size is made up for a caller that was given none.
        onOption: (_verb, option) => (option === Opt.CHARSET || (option === Opt.NAWS && !opts.size) ? false : undefined),
      });
    }
    socket.on('data', (d: Buffer) => {
      this.bytes = Buffer.concat([this.bytes, d]);
      this.answer(d);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(opts: RawTelnetOptions): Promise<RawTelnet> {
    if (opts.silent && (opts.terminalType !== undefined || opts.size)) {
      return Promise.reject(new Error('a silent RawTelnet answers no option: terminalType and size would be ignored'));
    }
    return new Promise((resolve, reject) => {
      const s = net.connect({ port: opts.port, host: opts.host ?? '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
      s.once('error', reject);
      s.once('connect', () => resolve(new RawTelnet(s, opts)));
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private answer(d: Buffer): void {
    if (!this.decoder || !this.negotiator) return;
    for (const ev of this.decoder.push(d)) {
      if (ev.type === 'subnegotiation') this.write(this.negotiator.handle(ev));
      else if (ev.type === 'command' && ev.option !== undefined) this.write(this.negotiator.handle({ type: 'command', command: ev.command, option: ev.option }));
    }
  }

  private write(step: ClientStep): void {
    for (const b of step.send) this.socket.write(b);
  }

  /** A size report, whether or not NAWS was agreed (a board accepts one unasked). */
  naws(cols: number, rows: number): void {
    const b = Buffer.from([IAC, SB, Opt.NAWS, cols >> 8, cols & 255, rows >> 8, rows & 255, IAC, SE]);
    this.socket.write(b);
  }

  /** Output with telnet commands removed, decoded as latin1 (byte = char). */
  text(): string {
    return this.bytes.toString('latin1').replace(/\xff[\xfb-\xfe]./gs, '').replace(/\xff\xfa[\s\S]*?\xff\xf0/g, '');
  }

  async waitFor(pattern: string | RegExp, timeoutMs = 10_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = this.text().slice(from);
      if (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t)) return t;
      if (this.closed) throw new Error(`closed before ${String(pattern)}; got ${JSON.stringify(t.slice(-400))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${String(pattern)}; got ${JSON.stringify(t.slice(-400))}`);
      await new Promise<void>((res) => {
        const timer = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          res();
        });
      });
    }
  }

  /** Waits for `pattern` appearing after everything received so far. */
  async waitForNext(pattern: string | RegExp, timeoutMs = 10_000): Promise<string> {
    return this.waitFor(pattern, timeoutMs, this.text().length);
  }

  send(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await eventually(() => this.closed, 'the connection to close', { timeoutMs });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Log a raw caller in and leave it at the main menu. */
export async function loginRaw(port: number, handle: string, password: string, opts: Partial<RawTelnetOptions> = {}): Promise<RawTelnet> {
  const c = await RawTelnet.connect({ port, ...opts });
  await c.waitFor('login:', 15_000);
  c.send(`${handle}\r`);
  await c.waitFor('password:');
  c.send(`${password}\r`);
  await c.waitFor('Command:');
  return c;
}
