// A deliberately small telnet caller for end-to-end tests: it can stay silent (answers no
// option) or answer TTYPE and NAWS, and it reads the board's output as raw bytes so tests
// can assert on encodings. Protocol bytes are left in `bytes`; `text()` drops them.
import net from 'node:net';
import { eventually } from '@carrier/core/testing';

const IAC = 0xff, SB = 0xfa, SE = 0xf0, WILL = 0xfb, DO = 0xfd, TTYPE = 24, NAWS = 31;

export interface RawTelnetOptions {
  port: number;
  host?: string;
  localAddress?: string;
  /** answer DO TTYPE with WILL and SEND with this type */
  terminalType?: string;
  /** send WILL NAWS and this size right away */
  size?: { cols: number; rows: number };
}

export class RawTelnet {
  bytes = Buffer.alloc(0);
  closed = false;
  private readonly socket: net.Socket;
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket, private readonly opts: RawTelnetOptions) {
    this.socket = socket;
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
    return new Promise((resolve, reject) => {
      const s = net.connect({ port: opts.port, host: opts.host ?? '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
      s.once('error', reject);
      s.once('connect', () => {
        const c = new RawTelnet(s, opts);
        if (opts.size) {
          s.write(Buffer.from([IAC, WILL, NAWS]));
          c.naws(opts.size.cols, opts.size.rows);
        }
        resolve(c);
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Answers only what it was told to: DO TTYPE -> WILL, SB TTYPE SEND -> IS <type>. */
  private answer(d: Buffer): void {
    const type = this.opts.terminalType;
    if (!type) return;
    for (let i = 0; i + 2 < d.length; i++) {
      if (d[i] === IAC && d[i + 1] === DO && d[i + 2] === TTYPE) this.socket.write(Buffer.from([IAC, WILL, TTYPE]));
      if (d[i] === IAC && d[i + 1] === SB && d[i + 2] === TTYPE && d[i + 3] === 1) {
        this.socket.write(Buffer.concat([Buffer.from([IAC, SB, TTYPE, 0]), Buffer.from(type, 'latin1'), Buffer.from([IAC, SE])]));
      }
    }
  }

  naws(cols: number, rows: number): void {
    const b = Buffer.from([IAC, SB, NAWS, cols >> 8, cols & 255, rows >> 8, rows & 255, IAC, SE]);
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
