// Resize storms (issue 11 items 1-2): a caller logged in over telnet or ssh opens a
// full-screen view and then reports window sizes as fast as a hostile client (or a
// window being dragged) can, while a well-behaved caller types at `login:` and times
// each key's echo. Shared by tests/hostile/resize-storm.test.ts and tools/bench/view-*.ts.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { ClientChannel } from 'ssh2';
import { naws as nawsBytes, IAC, SB, SE, WILL, Opt } from './telnet-bytes.js';
import { openShell, sshConnect, type SshSession } from './ssh.js';

/** Text kept per caller: enough to find a prompt, bounded however much a storm draws. */
const TAIL_CHARS = 256 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A caller whose output is kept as a bounded latin1 tail, telnet commands removed. */
abstract class TailCaller {
  protected tail = '';
  /** characters received in all, so `mark()`/`waitFor(…, from)` survive the tail moving */
  protected total = 0;
  private readonly waiters = new Set<() => void>();
  closed = false;

  protected received(text: string): void {
    this.tail = (this.tail + text).slice(-TAIL_CHARS);
    this.total += text.length;
    for (const w of [...this.waiters]) w();
  }

  protected ended(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w();
  }

  /** A position in the output: waitFor(pattern, ms, mark) looks only at what came after it. */
  mark(): number {
    return this.total;
  }

  /** Everything after `from` that is still in the tail. */
  since(from: number): string {
    return this.tail.slice(Math.max(0, this.tail.length - (this.total - from)));
  }

  waitFor(pattern: string, timeoutMs = 15_000, from = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.since(from).includes(pattern)) {
          finish();
          resolve();
          return true;
        }
        if (this.closed) {
          finish();
          reject(new Error(`closed before ${JSON.stringify(pattern)}; got ${JSON.stringify(this.tail.slice(-300))}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${JSON.stringify(pattern)} within ${timeoutMs} ms; got ${JSON.stringify(this.tail.slice(-300))}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      if (!check()) this.waiters.add(waiter);
    });
  }

  abstract send(text: string): void;
  abstract resize(cols: number, rows: number): void;
  abstract close(): void;

  /** Type `keys` and wait for `expect` in what follows. */
  async type(keys: string, expect: string, timeoutMs = 15_000): Promise<void> {
    const from = this.mark();
    this.send(keys);
    await this.waitFor(expect, timeoutMs, from);
  }
}

/** A telnet caller that sends NAWS (WILL NAWS at connect, then any size it is told). */
export class StormTelnet extends TailCaller {
  private constructor(readonly socket: net.Socket) {
    super();
    socket.on('data', (d: Buffer) => this.received(stripTelnet(d)));
    socket.on('error', () => undefined);
    socket.on('close', () => this.ended());
  }

  static connect(port: number, from: string, size = { cols: 80, rows: 25 }): Promise<StormTelnet> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        s.write(Buffer.concat([Buffer.from([IAC, WILL, Opt.NAWS]), nawsBytes(size.cols, size.rows)]));
        resolve(new StormTelnet(s));
      });
    });
  }

  send(text: string): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.from(text, 'latin1'));
  }

  resize(cols: number, rows: number): void {
    if (!this.socket.destroyed) this.socket.write(nawsBytes(cols, rows));
  }

  /** Many NAWS reports in one write (what arrives together on the wire). */
  resizeMany(sizes: ReadonlyArray<{ cols: number; rows: number }>): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(sizes.map((s) => nawsBytes(s.cols, s.rows))));
  }

  async login(handle: string, password: string): Promise<void> {
    await this.waitFor('login:');
    await this.type(`${handle}\r`, 'password:');
    await this.type(`${password}\r`, 'Command:');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Drop IAC commands and subnegotiations from a chunk (good enough for a tail of text). */
function stripTelnet(d: Buffer): string {
  if (!d.includes(IAC)) return d.toString('latin1');
  const out: number[] = [];
  for (let i = 0; i < d.length; i++) {
    const b = d[i]!;
    if (b !== IAC) {
      out.push(b);
      continue;
    }
    const verb = d[i + 1];
    if (verb === IAC) {
      out.push(IAC);
      i++;
    } else if (verb === SB) {
      const end = d.indexOf(Buffer.from([IAC, SE]), i + 2);
      i = end < 0 ? d.length : end + 1;
    } else if (verb !== undefined && verb >= 251) i += 2;
    else i++;
  }
  return Buffer.from(out).toString('latin1');
}

/** An ssh caller with a pty; resize() is a window-change request. */
export class StormSsh extends TailCaller {
  private constructor(
    private readonly session: SshSession,
    private readonly ch: ClientChannel,
  ) {
    super();
    ch.on('data', (d: Buffer) => this.received(d.toString('latin1')));
    ch.on('close', () => this.ended());
    void session.closed.then(() => this.ended());
  }

  static async connect(port: number, from: string, handle: string, password: string, size = { cols: 80, rows: 25 }): Promise<StormSsh> {
    const session = await sshConnect(port, from, { username: handle, password });
    const ch = await openShell(session.client, { term: 'xterm', cols: size.cols, rows: size.rows });
    const c = new StormSsh(session, ch);
    await c.waitFor('Command:');
    return c;
  }

  send(text: string): void {
    this.ch.write(Buffer.from(text, 'latin1'));
  }

  resize(cols: number, rows: number): void {
    this.ch.setWindow(rows, cols, 0, 0);
  }

  close(): void {
    this.session.client.end();
  }
}

export interface StormPlan {
  /** the sizes reported in turn */
  sizes: ReadonlyArray<{ cols: number; rows: number }>;
  /** how many reports in all */
  count: number;
  /** spread over this long */
  durationMs: number;
  /** reports sent together in one write (telnet only; ssh sends one request each) */
  perWrite?: number;
}

/** The telnet storm: 950 NAWS in 2 s, alternating about 500x300 and 480x290. */
export const TELNET_STORM: StormPlan = { sizes: [{ cols: 500, rows: 300 }, { cols: 480, rows: 290 }], count: 950, durationMs: 2000, perWrite: 10 };
/** The ssh storm: a window drag, 40 window-changes at 20/s, at about 499x298. */
export const SSH_STORM: StormPlan = { sizes: [{ cols: 499, rows: 298 }, { cols: 497, rows: 296 }], count: 40, durationMs: 2000, perWrite: 1 };

/** Send the storm; resolves when the last report is sent. */
export async function storm(c: StormTelnet | StormSsh, plan: StormPlan): Promise<void> {
  const perWrite = c instanceof StormTelnet ? Math.max(1, plan.perWrite ?? 1) : 1;
  const writes = Math.ceil(plan.count / perWrite);
  const every = plan.durationMs / writes;
  const start = Date.now();
  let n = 0;
  for (let w = 0; w < writes && !c.closed; w++) {
    const batch: Array<{ cols: number; rows: number }> = [];
    for (let i = 0; i < perWrite && n < plan.count; i++, n++) batch.push(plan.sizes[n % plan.sizes.length]!);
    if (c instanceof StormTelnet) c.resizeMany(batch);
    else for (const s of batch) c.resize(s.cols, s.rows);
    const wait = start + (w + 1) * every - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

/**
 * A well-behaved caller at `login:` typing a key every `everyMs` until stop() and timing
 * each echo. Letters then as many DELs (the field stays short), so it never logs in.
 */
export class EchoProbe {
  readonly samples: number[] = [];
  private running = true;
  private readonly done: Promise<void>;

  private constructor(private readonly c: StormTelnet, everyMs: number) {
    this.done = this.loop(everyMs);
  }

  static async start(port: number, everyMs = 25): Promise<EchoProbe> {
    const c = await StormTelnet.connect(port, '127.0.0.1');
    await c.waitFor('login:');
    return new EchoProbe(c, everyMs);
  }

  private async loop(everyMs: number): Promise<void> {
    let typed = 0;
    while (this.running && !this.c.closed) {
      const erase = typed >= 8;
      const t0 = performance.now();
      await this.c.type(erase ? '\x7f' : 'x', erase ? '\b' : 'x', 600_000);
      this.samples.push(performance.now() - t0);
      typed = erase ? (typed + 1) % 16 : typed + 1;
      await sleep(everyMs);
    }
  }

  /** Stop typing; resolves once the key in flight was echoed. */
  async stop(): Promise<number[]> {
    this.running = false;
    await this.done;
    this.c.close();
    return this.samples;
  }
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
