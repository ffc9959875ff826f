// A raw WebSocket caller for the web front end's tests: it speaks /ws the way the page
// does (binary frames of keys, JSON text frames for control) and keeps the board's output
// as text with escape sequences dropped, so tests can wait for prompts.
import WebSocket from 'ws';

export interface WebCallerOptions {
  port: number;
  /** query-string terminal (default 80x25 xterm-256color utf8); null sends no query */
  query?: Record<string, string> | null;
  headers?: Record<string, string>;
  localAddress?: string;
  maxPayload?: number;
}

export class WebCaller {
  bytes = Buffer.alloc(0);
  closed = false;
  closeCode: number | undefined;
  closeReason = '';
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      if (isBinary) this.bytes = Buffer.concat([this.bytes, d]);
      this.wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = true;
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  /** Resolves once the upgrade is done; rejects with the HTTP status of a refused upgrade. */
  static connect(opts: WebCallerOptions): Promise<WebCaller> {
    const q = opts.query === null ? '' : `?${new URLSearchParams(opts.query ?? { term: 'xterm-256color', encoding: 'utf8', cols: '80', rows: '25' }).toString()}`;
    const ws = new WebSocket(`ws://127.0.0.1:${opts.port}/ws${q}`, {
      headers: opts.headers ?? {},
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      handshakeTimeout: 15_000,
    });
    return new Promise((resolve, reject) => {
      const c = new WebCaller(ws);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', (err) => reject(err));
      ws.once('close', () => reject(new Error('closed before open')));
    });
  }

  text(): string {
    return this.bytes.toString('utf8').replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b[()][0-9A-Za-z]/g, '');
  }

  /** Wait for `pattern` in the output after `from` characters; returns the index after the match. */
  async readUntil(pattern: string | RegExp, opts: { timeout?: number; from?: number } = {}): Promise<number> {
    const deadline = Date.now() + (opts.timeout ?? 15_000);
    for (;;) {
      const t = this.text().slice(opts.from ?? 0);
      const m = typeof pattern === 'string' ? (t.includes(pattern) ? { index: t.indexOf(pattern), length: pattern.length } : undefined) : (() => {
        const r = pattern.exec(t);
        return r ? { index: r.index, length: r[0].length } : undefined;
      })();
      if (m) return (opts.from ?? 0) + m.index + m.length;
      if (this.closed) throw new Error(`closed (${this.closeCode} ${this.closeReason}) before ${String(pattern)}; got: ${JSON.stringify(t.slice(-500))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${String(pattern)} within the deadline; got: ${JSON.stringify(t.slice(-500))}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  /** Resolves when the socket has closed, or rejects after `timeout`. */
  async waitClosed(timeout = 15_000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('still open');
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  type(keys: string): void {
    this.ws.send(Buffer.from(keys, 'utf8'), { binary: true });
  }

  line(text: string): void {
    this.type(`${text}\r`);
  }

  control(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
