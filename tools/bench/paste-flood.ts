// Benchmark: callers pasting without end, and what it costs a caller who only types.
//   npm run build
//   node --conditions=carrier-src --import tsx tools/bench/paste-flood.ts [--key-rate 100] [--key-burst N]
//     [--flooders 0,10,50,200] [--warmup 10] [--seconds 15] [--runs 1]
// Starts the built server (tools/bench/load's board: temp data dir, port 0, caps lifted)
// with `limits.keysPerSecond` = --key-rate (and `limits.keyBurst` = --key-burst if given;
// otherwise the board's default burst). For each flooder count, on the same board:
//  - N flooders log in over telnet (answering like SyncTERM, 80x25, from 127.0.0.2 up),
//    open the message editor (M, P, To: All, a subject) and paste into it without end:
//    blocks of 30 numbered 60-character lines (`L000123 ...` then Enter), each block
//    followed by 31 Ctrl-Y so the message never reaches the editor's 64 KiB. Each writes
//    as fast as the socket takes it, up to 256 KiB ahead of what the board has echoed
//    (4x the board's 64 KiB backlog: the board always has input waiting, and 200 callers
//    don't park a gigabyte in the kernel's socket buffers).
//  - one good caller at `login:` (127.0.0.1) types a key, waits for its echo, waits
//    100 ms, and again (tests/hostile/support/storm.ts's EchoProbe), in a process of its
//    own (paste-flood-probe.ts), so the flooders' work in this one doesn't delay its clock.
// After --warmup seconds of flooding (each flooder's first burst is spent by then, unless
// the board is saturated), --seconds are measured: the good caller's echo
// p50/p99/max, the server's CPU (% of one core) and run-queue wait, the keys the board
// accepted from the flooders (read from the highest line number each one's echo shows),
// in all and per flooder, and this process's own CPU (the flooders' side: it shares the
// machine's cores with the board). Then the flooders hang up and the next count starts.
import { fork } from 'node:child_process';
import net from 'node:net';
import { constants, loadavg } from 'node:os';
import { join } from 'node:path';
import { percentileOf } from '../../tests/hostile/support/storm.js';
import { BENCH_PASSWORD, buildStamp, startBenchBoard } from './load/bench-board.js';
import { pool, sleep } from './load/callers.js';
import { cpuPercent, sampleProc, waitPercent } from './load/proc.js';
import { answerLikeSyncterm } from './syncterm-answers.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? String(process.argv[i + 1]) : def;
}
const KEY_RATE = Number(arg('key-rate', '100'));
const KEY_BURST = arg('key-burst', '') === '' ? undefined : Number(arg('key-burst', ''));
const FLOODERS = arg('flooders', '0,10,50,200').split(',').map(Number);
const SECONDS = Number(arg('seconds', '15'));
const WARMUP_S = Number(arg('warmup', '10'));
const RUNS = Number(arg('runs', '1'));
const ACCOUNTS = 5;
const GOOD_EVERY_MS = 100;

/** Lines of a pasted block, and the keys of one: 30 x (60 characters + Enter) + 31 Ctrl-Y. */
const BLOCK_LINES = 30;
const LINE_TEXT = 60;
const LINE_KEYS = LINE_TEXT + 1;
const BLOCK_KEYS = BLOCK_LINES * LINE_KEYS + BLOCK_LINES + 1;
const FILLER = ' the quick brown fox jumps over the lazy dog, pasted again and again';
/** How far a flooder writes ahead of what the board has echoed. */
const AHEAD_BYTES = 256 * 1024;
const MARK = /L(\d{6})/g;

/** Keys pasted before line `k` starts. */
const keysBefore = (k: number): number => k * LINE_KEYS + Math.floor(k / BLOCK_LINES) * (BLOCK_LINES + 1);

function pasteLines(from: number, count: number): string {
  let out = '';
  for (let k = from; k < from + count; k++) {
    out += `L${String(k).padStart(6, '0')}${FILLER}`.slice(0, LINE_TEXT) + '\r';
    if ((k + 1) % BLOCK_LINES === 0) out += '\x19'.repeat(BLOCK_LINES + 1);
  }
  return out;
}

/** A caller in the message editor, pasting; `accepted` is how many keys the board has taken (to one line). */
class Flooder {
  private next = 0;
  /** highest line number the echo has shown */
  private seen = -1;
  private carry = '';
  private flooding = false;
  private draining = false;

  private constructor(private readonly socket: net.Socket) {}

  get accepted(): number {
    return this.seen < 0 ? 0 : keysBefore(this.seen);
  }

  /** Log in and open the message editor. */
  static enter(port: number, address: string, handle: string): Promise<Flooder> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: address });
      const f = new Flooder(socket);
      const steps: Array<[string, string]> = [
        ['login:', `${handle}\r`],
        ['password:', `${BENCH_PASSWORD}\r`],
        ['Command:', 'm'],
        ['Area:', 'p'],
        ['To:', '\r'],
        ['Subject:', 'A paste\r'],
      ];
      let seen = '';
      const timer = setTimeout(() => fail(new Error(`${address}: no ${steps[0]?.[0] ?? 'editor'} within 120 s; got ${JSON.stringify(seen.slice(-200))}`)), 120_000);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.on('error', (err) => fail(err));
      socket.on('close', () => fail(new Error(`${address}: closed before the editor; got ${JSON.stringify(seen.slice(-200))}`)));
      socket.on('data', (d: Buffer) => {
        if (f.flooding) return f.echoed(d);
        seen = (seen + answerLikeSyncterm(socket, d)).slice(-4096);
        const step = steps[0];
        if (step && seen.includes(step[0])) {
          steps.shift();
          seen = '';
          socket.write(step[1]);
        } else if (!step && seen.includes('Ctrl-Z save')) {
          clearTimeout(timer);
          f.flooding = true;
          resolve(f);
        }
      });
    });
  }

  private echoed(d: Buffer): void {
    const text = this.carry + d.toString('latin1');
    for (const m of text.matchAll(MARK)) this.seen = Math.max(this.seen, Number(m[1]));
    this.carry = text.slice(-7);
    this.write();
  }

  /** Paste as far ahead as the socket takes and AHEAD_BYTES allows; the echo or a drain calls again. */
  write(): void {
    if (this.draining) return;
    while (!this.socket.destroyed && keysBefore(this.next) - this.accepted < AHEAD_BYTES) {
      const chunk = pasteLines(this.next, BLOCK_LINES);
      this.next += BLOCK_LINES;
      if (!this.socket.write(chunk)) {
        this.draining = true;
        this.socket.once('drain', () => {
          this.draining = false;
          this.write();
        });
        return;
      }
    }
  }

  hangUp(): void {
    this.socket.destroy();
  }
}

const fmt = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** The good caller's process: at `login:` and typing when this resolves. */
async function goodCaller(port: number): Promise<{ measure(): void; stop(): Promise<number[]> }> {
  const child = fork(join(import.meta.dirname, 'paste-flood-probe.ts'), [String(port), String(GOOD_EVERY_MS)], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const next = <T>(field: string): Promise<T> =>
    Promise.race([
      new Promise<T>((resolve) => child.on('message', (m: Record<string, unknown>) => field in m && resolve(m[field] as T))),
      exited.then((code) => Promise.reject(new Error(`the good caller's process exited (${code}) before ${field}`))),
    ]);
  await next<boolean>('ready');
  return {
    measure: () => child.send({ cmd: 'measure' }),
    stop: async () => {
      const samples = next<number[]>('samples');
      child.send({ cmd: 'stop' });
      return samples;
    },
  };
}

async function phase(port: number, pid: number, n: number): Promise<string> {
  const entered = await pool(n, 50, (i) => Flooder.enter(port, `127.0.0.${2 + (i % 250)}`, `load${1 + (i % ACCOUNTS)}`));
  const flooders = entered.flatMap((r) => (r.ok ? [r.value] : []));
  const failed = entered.filter((r) => !r.ok).map((r) => String((r as { error: unknown }).error));
  try {
    const probe = await goodCaller(port);
    for (const f of flooders) f.write();
    await sleep(WARMUP_S * 1000);
    probe.measure();
    const before = flooders.map((f) => f.accepted);
    const from = sampleProc(pid);
    const self0 = process.cpuUsage();
    await sleep(SECONDS * 1000);
    const to = sampleProc(pid);
    const self = process.cpuUsage(self0);
    const after = flooders.map((f) => f.accepted);
    const echoes = await probe.stop();
    const wall = (to.at - from.at) / 1000;
    const perFlooder = after.map((a, i) => (a - before[i]!) / wall);
    const total = perFlooder.reduce((a, b) => a + b, 0);
    return (
      `flooders ${String(n).padStart(3)} (${flooders.length} in the editor${failed.length ? `, ${failed.length} failed: ${failed[0]}` : ''}): ` +
      `good caller echo p50 ${fmt(percentileOf(echoes, 50))} ms p99 ${fmt(percentileOf(echoes, 99))} ms max ${fmt(Math.max(...echoes), 0)} ms (${echoes.length} keys); ` +
      `server CPU ${fmt(cpuPercent(from, to), 0)}% run-queue wait ${fmt(waitPercent(from, to), 0)}%; ` +
      `flooders' keys accepted ${fmt(total, 0)}/s in all, per flooder median ${fmt(percentileOf(perFlooder, 50), 0)}/s min ${fmt(Math.min(...perFlooder), 0)}/s; ` +
      `flooders' process CPU ${fmt((100 * (self.user + self.system)) / 1e6 / wall, 0)}%`
    );
  } finally {
    for (const f of flooders) f.hangUp();
  }
}

/**
 * Wait until the board is idle (under 5% of a core for a second; at most 2 minutes): the
 * last count's sessions, hung up, may still be ending on a saturated board.
 */
async function settle(pid: number): Promise<void> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    const from = sampleProc(pid);
    await sleep(1000);
    if (cpuPercent(from, sampleProc(pid)) < 5 || performance.now() > deadline) return;
  }
}

const board = await startBenchBoard({ users: ACCOUNTS, scryptN: 1024, keyRate: { perSecond: KEY_RATE, ...(KEY_BURST ? { burst: KEY_BURST } : {}) } });
// Stopped by a signal (kill, or ^C to this process alone): the board, its data dir and the
// good caller's process would outlive the run, and a board left flooding skews the next one.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void board.stop().finally(() => process.exit(128 + constants.signals[signal])));
}
try {
  console.log(`key rate ${KEY_RATE}/s${KEY_BURST ? `, burst ${KEY_BURST}` : ''}; ${SECONDS} s measured after ${WARMUP_S} s; ${buildStamp()}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (let run = 1; run <= RUNS; run++) {
    for (const n of FLOODERS) {
      await settle(board.pid);
      console.log(`run ${run}: ${await phase(board.port, board.pid, n).catch((err: unknown) => `flooders ${n}: failed: ${String(err)}`)}`);
    }
  }
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await board.stop();
}
