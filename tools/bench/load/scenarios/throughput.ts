// Login throughput: callers log in (connect, handle, password, main menu) and hang up,
// `--concurrency` at a time. Every login verifies a scrypt hash, so this is the board's
// ceiling on callers arriving at once.
import { loginCaller, pool, timed } from '../callers.js';
import { sampleProc } from '../proc.js';
import { ErrorTally, distribution } from '../report.js';
import type { Scenario } from '../scenario.js';

export const throughputScenario: Scenario = async (ctx) => {
  const sessions = ctx.num('sessions', 500);
  const concurrency = ctx.num('concurrency', 50);
  const errors = new ErrorTally();
  const from = sampleProc(ctx.board.pid);
  const t0 = performance.now();
  const results = await pool(sessions, concurrency, async (i) => {
    const { value: c, ms } = await timed(() => loginCaller(ctx.board.port, i, ctx.users));
    await c.close();
    return ms;
  });
  const wall = (performance.now() - t0) / 1000;
  const to = sampleProc(ctx.board.pid);
  const ms = errors.values(results);
  return {
    params: { sessions, concurrency },
    latencies: { 'connect -> Command:': distribution(ms) },
    figures: { 'logins per second': ms.length / wall, 'wall time (s)': wall },
    errors,
    notes: [],
    window: { from, to },
  };
};
