// N callers logged in and parked at the main menu: what each one costs the server in
// memory once the logins are over (RSS beyond the idle board, divided by N), and the
// CPU the parked board burns. With --procs P the callers are spread over P load processes
// (park-worker.ts): one process can hold only as many sockets as its fd limit.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { TelnetClient } from '@carrier/client';
import { closeAll, loginCaller, pool, sleep, timed } from '../callers.js';
import { MiB, sampleProc } from '../proc.js';
import { ErrorTally, distribution } from '../report.js';
import type { Scenario, ScenarioContext } from '../scenario.js';

interface Parked {
  ms: number[];
  errors: ErrorTally;
  /** generators' RSS, bytes */
  generatorRss: number[];
  /** hangs everyone up; resolves with how many the board had closed while parked */
  release(): Promise<number>;
}

async function parkHere(ctx: ScenarioContext, sessions: number, concurrency: number): Promise<Parked> {
  const parked: TelnetClient[] = [];
  const errors = new ErrorTally();
  let done = 0;
  const results = await pool(sessions, concurrency, async (i) => {
    const { value: c, ms } = await timed(() => loginCaller(ctx.board.port, i, ctx.users));
    parked.push(c);
    if (++done % 1000 === 0) ctx.progress(`${done} parked, server RSS ${(sampleProc(ctx.board.pid).rss / MiB).toFixed(0)} MiB`);
    return ms;
  });
  return {
    ms: errors.values(results),
    errors,
    generatorRss: [process.memoryUsage().rss],
    async release() {
      const closedEarly = parked.filter((c) => c.closed).length;
      await closeAll(parked);
      return closedEarly;
    },
  };
}

interface WorkerMessage {
  parked?: number;
  done?: boolean;
  ms?: number[];
  errors?: string[];
  rss?: number;
  closedEarly?: number;
}

async function parkInWorkers(ctx: ScenarioContext, sessions: number, concurrency: number, procs: number): Promise<Parked> {
  const errors = new ErrorTally();
  const ms: number[] = [];
  const generatorRss: number[] = [];
  const share = Math.ceil(sessions / procs);
  const parkedBy = new Array<number>(procs).fill(0);
  const workers = Array.from({ length: procs }, (_, w) => {
    const first = w * share;
    const count = Math.max(0, Math.min(share, sessions - first));
    const child = fork(join(import.meta.dirname, '..', 'park-worker.ts'), [ctx.board.port, ctx.users, first, count, Math.max(1, Math.round(concurrency / procs))].map(String), {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const finished = new Promise<void>((resolve, reject) => {
      child.on('message', (m: WorkerMessage) => {
        if (m.parked !== undefined) {
          parkedBy[w] = m.parked;
          const total = parkedBy.reduce((a, b) => a + b, 0);
          if (total % 1000 === 0) ctx.progress(`${total} parked, server RSS ${(sampleProc(ctx.board.pid).rss / MiB).toFixed(0)} MiB`);
        }
        if (m.done) {
          ms.push(...m.ms!);
          for (const e of m.errors!) errors.add(new Error(e));
          generatorRss.push(m.rss!);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`load process ${w + 1} exited before its callers were parked`)));
    });
    return { child, exited, finished };
  });
  await Promise.all(workers.map((w) => w.finished));
  return {
    ms,
    errors,
    generatorRss,
    async release() {
      const counts = await Promise.all(
        workers.map(
          (w) =>
            new Promise<number>((resolve) => {
              w.child.on('message', (m: WorkerMessage) => m.closedEarly !== undefined && resolve(m.closedEarly));
              w.child.send({ cmd: 'close' });
            }),
        ),
      );
      await Promise.all(workers.map((w) => w.exited));
      return counts.reduce((a, b) => a + b, 0);
    },
  };
}

export const idleScenario: Scenario = async (ctx) => {
  const sessions = ctx.num('sessions', 1000);
  const concurrency = ctx.num('concurrency', 100);
  const settleS = ctx.num('settle', 60);
  const procs = ctx.num('procs', 1);
  const idle = sampleProc(ctx.board.pid);
  const t0 = performance.now();
  const parked = procs > 1 ? await parkInWorkers(ctx, sessions, concurrency, procs) : await parkHere(ctx, sessions, concurrency);
  const loginWall = (performance.now() - t0) / 1000;
  const count = parked.ms.length;
  ctx.progress(`${count} parked after ${loginWall.toFixed(0)} s; settling ${settleS} s`);
  // Logins leave garbage (scrypt buffers, art strings) that V8 collects lazily; what a parked
  // session costs is what is left once the board has sat still for a while.
  await sleep(settleS * 1000);
  const from = sampleProc(ctx.board.pid);
  const rss: number[] = [];
  for (let k = 0; k < 10; k++) {
    await sleep(1000);
    rss.push(sampleProc(ctx.board.pid).rss);
  }
  const to = sampleProc(ctx.board.pid);
  const parkedRss = distribution(rss).p50;
  const closedEarly = await parked.release();
  return {
    params: { sessions, concurrency, settleS, procs },
    latencies: { 'connect -> Command:': distribution(parked.ms) },
    figures: {
      'parked sessions': count - closedEarly,
      'RSS per session (KiB)': (parkedRss - idle.rss) / 1024 / Math.max(1, count - closedEarly),
      'parked RSS (MiB)': parkedRss / MiB,
      'logins per second': count / loginWall,
      ...(procs > 1 ? { 'load processes RSS (MiB)': parked.generatorRss.reduce((a, b) => a + b, 0) / MiB } : {}),
    },
    errors: parked.errors,
    notes: closedEarly ? [`${closedEarly} sessions closed while parked`] : [],
    window: { from, to },
  };
};
