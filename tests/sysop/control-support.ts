// A raw control-channel client for tests: frames written by hand (so a test can send
// broken ones), replies and stream events collected as they arrive.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { eventually } from '@carrier/core/testing';

export function socketOf(dataDir: string): string {
  return join(dataDir, 'control.sock');
}

export function frame(body: string | Buffer): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length, 0);
  return Buffer.concat([h, b]);
}

export class RawControl {
  readonly messages: Record<string, unknown>[] = [];
  private buf = Buffer.alloc(0);
  private nextId = 1;
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4) {
        const n = this.buf.readUInt32BE(0);
        if (this.buf.length < 4 + n) break;
        this.messages.push(JSON.parse(this.buf.subarray(4, 4 + n).toString('utf8')) as Record<string, unknown>);
        this.buf = this.buf.subarray(4 + n);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static connect(dataDir: string): Promise<RawControl> {
    return new Promise((resolve, reject) => {
      const s = connect(socketOf(dataDir));
      s.once('connect', () => resolve(new RawControl(s)));
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Send a request; resolves with its reply. */
  async call(verb: string, args: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    this.write(frame(JSON.stringify({ id, verb, args })));
    return this.waitFor((m) => m['id'] === id, timeoutMs);
  }

  async ok(verb: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const r = await this.call(verb, args);
    if (r['ok'] !== true) throw new Error(`${verb} failed: ${JSON.stringify(r['error'])}`);
    return r['result'];
  }

  waitFor(match: (m: Record<string, unknown>) => boolean, timeoutMs = 15_000, from = 0): Promise<Record<string, unknown>> {
    return eventually(
      () => this.messages.slice(from).find(match),
      () => `a matching control message; got ${JSON.stringify(this.messages).slice(-1500)}`,
      { timeoutMs },
    );
  }

  async waitClosed(timeoutMs = 15_000): Promise<void> {
    await eventually(() => this.closed, 'the control connection to close', { timeoutMs });
  }

  private pinger: NodeJS.Timeout | undefined;
  /** Ping every second, so a test waiting on callers is not closed as idle. */
  keepAlive(): void {
    this.pinger = setInterval(() => {
      if (this.closed) clearInterval(this.pinger);
      else this.write(frame(JSON.stringify({ id: 1_000_000 + this.nextId++, verb: 'ping' })));
    }, 1000);
  }

  close(): void {
    if (this.pinger) clearInterval(this.pinger);
    this.socket.destroy();
  }
}
