// Shared by the chat benchmarks: a board with its caps raised for a thousand callers, the
// accounts they log in as, and a lean telnet caller that logs in, enters chat and
// reports every time a token it is watching for arrives.
import { readFileSync } from 'node:fs';
import net from 'node:net';
// tools/ has no package.json of its own: the packages are reached by path.
import { createMemoryLogger } from '@carrier/core';
import { DEFAULT_SCRYPT_PARAMS, openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../../tests/harness.js';

const IAC = 0xff, SB = 0xfa, SE = 0xf0, WILL = 0xfb, WONT = 0xfc, DO = 0xfd, DONT = 0xfe;
const TTYPE = 24, NAWS = 31;

/** Cheap hashes: the benchmarks measure chat, not scrypt; the board uses the same cost so nothing is rehashed. */
const BENCH_SCRYPT_N = 1024;

export const BENCH_PASSWORD = 'bench-password-1';

/** A board that admits `callers` telnet callers from 127.0.0.x without refusing or penalising any. */
export async function startChatBoard(callers: number, yaml = ''): Promise<Carrier> {
  const cap = callers + 100;
  return startCarrier({
    logLevel: 'info',
    yaml: [
      `limits: { maxConnections: ${cap}, maxPerIp: ${cap}, maxPerSubnet: ${cap}, startups: { start: ${cap}, rate: 0, full: ${cap} } }`,
      `security: { scrypt: { N: ${BENCH_SCRYPT_N} }, penalties: { enabled: false }, auditLog: false }`,
      'session: { idleTimeout: 1h, loginTimeout: 10m }',
      yaml,
    ].join('\n'),
  });
}

/** Accounts `prefix0` … written straight into the board's SQLite file (the CLI would take a second each). */
export async function createUsers(board: Carrier, prefix: string, n: number): Promise<string[]> {
  const store = await openStore({ dataDir: board.dataDir, log: createMemoryLogger(), passwordParams: { ...DEFAULT_SCRYPT_PARAMS, N: BENCH_SCRYPT_N } });
  const handles: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const handle = `${prefix}${i}`;
      await store.users.create({ handle, password: BENCH_PASSWORD });
      handles.push(handle);
    }
  } finally {
    await store.close();
  }
  return handles;
}

/** Loopback has all of 127/8: spreading callers over it keeps per-address caps out of the picture. */
export function sourceAddress(i: number): string {
  return `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

/**
 * A caller that answers negotiation like SyncTERM (TTYPE xterm-256color, NAWS 80x25),
 * keeps only a short tail of what it received, and calls `onText` for each chunk.
 */
export class BenchCaller {
  private tail = '';
  private waiters: Array<{ needle: string; resolve(): void }> = [];
  onText: ((text: string, now: number) => void) | undefined;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static connect(port: number, localAddress: string): Promise<BenchCaller> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', localAddress });
      s.once('error', reject);
      s.once('connect', () => resolve(new BenchCaller(s)));
    });
  }

  /** Connect, log in and stop at the main menu. */
  static async login(port: number, localAddress: string, handle: string): Promise<BenchCaller> {
    const c = await BenchCaller.connect(port, localAddress);
    await c.waitFor('login:');
    c.send(`${handle}\r`);
    await c.waitFor('password:');
    c.send(`${BENCH_PASSWORD}\r`);
    await c.waitFor('Command:');
    return c;
  }

  send(text: string): void {
    this.socket.write(text);
  }

  waitFor(needle: string, timeoutMs = 60_000): Promise<void> {
    if (this.tail.includes(needle)) {
      this.tail = this.tail.slice(this.tail.indexOf(needle) + needle.length);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${JSON.stringify(needle)} within ${timeoutMs} ms; tail ${JSON.stringify(this.tail.slice(-200))}`)), timeoutMs);
      this.waiters.push({ needle, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(d: Buffer): void {
    const now = performance.now();
    // Chat output rarely carries a telnet command: skip the byte loop when there is none.
    if (!d.includes(IAC)) return this.deliver(d.toString('latin1'), now);
    const out: number[] = [];
    const text: number[] = [];
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== IAC) {
        text.push(d[i]!);
        continue;
      }
      const cmd = d[i + 1], opt = d[i + 2];
      if (cmd === DO) out.push(IAC, opt === TTYPE || opt === NAWS ? WILL : WONT, opt!);
      if (cmd === DO && opt === NAWS) out.push(IAC, SB, NAWS, 0, 80, 0, 25, IAC, SE);
      if (cmd === WILL) out.push(IAC, opt === 1 || opt === 3 || opt === 0 ? DO : DONT, opt!);
      if (cmd === SB && opt === TTYPE) {
        out.push(IAC, SB, TTYPE, 0, ...Buffer.from('xterm-256color'), IAC, SE);
        while (i < d.length && !(d[i] === IAC && d[i + 1] === SE)) i++;
        i++;
        continue;
      }
      if (cmd === SB) {
        while (i < d.length && !(d[i] === IAC && d[i + 1] === SE)) i++;
        i++;
        continue;
      }
      i += cmd === IAC ? 1 : 2;
      if (cmd === IAC) text.push(IAC);
    }
    if (out.length) this.socket.write(Buffer.from(out));
    this.deliver(Buffer.from(text).toString('latin1'), now);
  }

  private deliver(chunk: string, now: number): void {
    this.onText?.(chunk, now);
    this.tail = (this.tail + chunk).slice(-8192);
    for (const w of [...this.waiters]) {
      const at = this.tail.indexOf(w.needle);
      if (at < 0) continue;
      this.tail = this.tail.slice(at + w.needle.length);
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }
}

/** Run `fn` over `items` with at most `width` at once. */
export async function inBatches<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every common build. */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}
