// A hostile peer on a raw socket from its own loopback address (127.0.0.2 and up, so a
// ban or a per-address cap never touches the test runner at 127.0.0.1). It records what
// the server sends and when the server hangs up; it never answers anything by itself.
import net from 'node:net';

/** Server output kept per attacker; floods of replies beyond this are counted, not kept. */
const KEEP_BYTES = 4 * 1024 * 1024;

export class Attacker {
  readonly connectedAt = Date.now();
  /** milliseconds after connect at which the server closed, once it has */
  closedAfterMs: number | undefined;
  receivedBytes = 0;
  private chunks: Buffer[] = [];
  private kept = 0;
  private cache: Buffer | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly socket: net.Socket,
    readonly from: string,
  ) {
    socket.on('data', (d: Buffer) => {
      this.receivedBytes += d.length;
      if (this.kept < KEEP_BYTES) {
        this.chunks.push(d);
        this.kept += d.length;
        this.cache = undefined;
      }
      this.wake();
    });
    // EPIPE / ECONNRESET while the server closes on us are the expected outcome, not errors.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedAfterMs ??= Date.now() - this.connectedAt;
      this.wake();
    });
  }

  static connect(port: number, from: string): Promise<Attacker> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new Attacker(s, from));
      });
    });
  }

  get closed(): boolean {
    return this.closedAfterMs !== undefined;
  }

  /** Everything received so far (up to KEEP_BYTES). */
  get received(): Buffer {
    return (this.cache ??= Buffer.concat(this.chunks));
  }

  /** Write, ignoring a server that already hung up. Returns false when Node is buffering. */
  write(data: Buffer | string): boolean {
    if (this.closed || this.socket.destroyed) return false;
    return this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Write `total` bytes made by `make` in chunks, waiting for the socket, until done or closed. */
  async flood(total: number, make: (size: number) => Buffer, chunkSize = 64 * 1024): Promise<number> {
    let sent = 0;
    while (sent < total && !this.closed) {
      const chunk = make(Math.min(chunkSize, total - sent));
      sent += chunk.length;
      if (!this.write(chunk)) await this.drained();
    }
    return sent;
  }

  /** Node's write buffer emptied, or the server hung up. */
  private drained(): Promise<void> {
    if (this.closed || this.socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Send `data` one byte every `everyMs`, until it is all sent or the server hangs up. */
  async trickle(data: Buffer, everyMs: number): Promise<number> {
    let sent = 0;
    for (const b of data) {
      if (this.closed) break;
      this.write(Buffer.from([b]));
      sent++;
      await this.until(() => this.closed, everyMs, 'a close', true);
    }
    return sent;
  }

  /** Resolve once `check()` holds; reject after `timeoutMs` (or resolve, with `soft`). */
  until(check: () => boolean, timeoutMs: number, what: string, soft = false): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        if (soft) resolve();
        else reject(new Error(`${this.from}: no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.received.toString('latin1').slice(-300))}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Wait for bytes (or latin1 text) from the server, searching from byte `from`. */
  waitFor(pattern: Buffer | string, timeoutMs = 5000, from = 0): Promise<void> {
    const needle = typeof pattern === 'string' ? Buffer.from(pattern, 'latin1') : pattern;
    return this.until(() => this.received.indexOf(needle, from) >= 0, timeoutMs, JSON.stringify(needle.toString('latin1')));
  }

  /** Resolves with the milliseconds from connect to the server's close. */
  async waitClosed(timeoutMs: number): Promise<number> {
    await this.until(() => this.closed, timeoutMs, 'close by the server');
    return this.closedAfterMs!;
  }

  /** Stop reading: the kernel's buffers fill, then the server's own. */
  stopReading(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** A promise that must settle within `ms`, or the test names what hung. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not handled within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
