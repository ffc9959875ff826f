// N callers logged in and parked at the main menu: what each one costs the server in
// memory once the logins are over (RSS beyond the idle board, divided by N), and the
// CPU the parked board burns.
import type { TelnetClient } from '@carrier/client';
import { closeAll, loginCaller, pool, sleep, timed } from '../callers.js';
import { MiB, sampleProc } from '../proc.js';
import { ErrorTally, distribution } from '../report.js';
import type { Scenario } from '../scenario.js';

export const idleScenario: Scenario = async (ctx) => {
  const sessions = ctx.num('sessions', 1000);
  const concurrency = ctx.num('concurrency', 100);
  const settleS = ctx.num('settle', 60);
  const errors = new ErrorTally();
  const parked: TelnetClient[] = [];
  const idle = sampleProc(ctx.board.pid);
  const t0 = performance.now();
  let done = 0;
  const results = await pool(sessions, concurrency, async (i) => {
    const { value: c, ms } = await timed(() => loginCaller(ctx.board.port, i, ctx.users));
    parked.push(c);
    if (++done % 1000 === 0) ctx.progress(`${done} parked, server RSS ${(sampleProc(ctx.board.pid).rss / MiB).toFixed(0)} MiB`);
    return ms;
  });
  const loginWall = (performance.now() - t0) / 1000;
  const ms = errors.values(results);
  ctx.progress(`${parked.length} parked after ${loginWall.toFixed(0)} s; settling ${settleS} s`);
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
  const closedEarly = parked.filter((c) => c.closed).length;
  await closeAll(parked);
  return {
    params: { sessions, concurrency, settleS },
    latencies: { 'connect -> Command:': distribution(ms) },
    figures: {
      'parked sessions': parked.length - closedEarly,
      'RSS per session (KiB)': (parkedRss - idle.rss) / 1024 / Math.max(1, parked.length - closedEarly),
      'parked RSS (MiB)': parkedRss / MiB,
      'logins per second': ms.length / loginWall,
    },
    errors,
    notes: closedEarly ? [`${closedEarly} sessions closed while parked`] : [],
    window: { from, to },
  };
};
