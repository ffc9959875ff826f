// For the client's tests: a byte-scripted fake server on loopback (port 0). It records
// every byte a client sends and lets a test send exact bytes back, split however it likes.
// Not exported from the package.
import net from 'node:net';

export class ScriptedServer {
  private readonly server: net.Server;
  private readonly sockets: net.Socket[] = [];
  private readonly inbox = new Map<net.Socket, Buffer>();
  /** connections a test has taken with accepted(); the last one taken is the one scripted */
  private claimed = 0;
  private waiters: (() => void)[] = [];
  port = 0;

  private constructor() {
    this.server = net.createServer((s) => {
      this.sockets.push(s);
      this.inbox.set(s, Buffer.alloc(0));
      s.on('data', (d: Buffer) => {
        this.inbox.set(s, Buffer.concat([this.inbox.get(s)!, d]));
        this.wake();
      });
      s.on('error', () => undefined);
      s.on('close', () => this.wake());
      this.wake();
    });
  }

  static async start(): Promise<ScriptedServer> {
    const s = new ScriptedServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as net.AddressInfo).port;
    return s;
  }

  private get socket(): net.Socket {
    const s = this.sockets[this.claimed - 1];
    if (!s) throw new Error('no client connected');
    return s;
  }

  /** Everything the current client has sent since it connected (or since clear()). */
  get received(): Buffer {
    return this.inbox.get(this.socket) ?? Buffer.alloc(0);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const got = this.claimed > 0 ? this.received.toString('latin1') : '';
        throw new Error(`fake server: timed out waiting for ${what}; received ${JSON.stringify(got)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for the next client to connect; from then on the script talks to that one. */
  async accepted(): Promise<void> {
    await this.until(() => this.sockets.length > this.claimed, 'a connection');
    this.claimed++;
  }

  send(bytes: Buffer | readonly number[] | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes as Buffer));
  }

  /** Sends one byte per write, each after the previous is flushed, so the client sees every split. */
  async sendSplit(bytes: Buffer): Promise<void> {
    for (const b of bytes) {
      await new Promise<void>((resolve) => this.socket.write(Buffer.from([b]), () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Waits until the client has sent `bytes` (anywhere in what it sent). */
  async waitFor(bytes: Buffer | readonly number[] | string, timeoutMs?: number): Promise<void> {
    const needle = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes as Buffer);
    await this.until(() => this.received.includes(needle), JSON.stringify(needle.toString('latin1')), timeoutMs);
  }

  /** Waits for the client to hang up. */
  async waitClosed(): Promise<void> {
    await this.until(() => this.socket.destroyed || this.socket.readableEnded, 'the client to close');
  }

  /** Forgets what was received, to look only at what comes next. */
  clear(): void {
    this.inbox.set(this.socket, Buffer.alloc(0));
  }

  hangUp(): void {
    this.socket.end();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240;
