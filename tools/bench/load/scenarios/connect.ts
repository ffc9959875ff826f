// connect -> `login:`: how long a caller waits for the first prompt. Sequential by
// default (--concurrency 1); `--sessions 2000 --concurrency 2000 --hold` is the
// simultaneous burst: every caller connects at once and stays until all have a prompt.
import type { TelnetClient } from '@carrier/client';
import { caller, closeAll, pool, timed } from '../callers.js';
import { sampleProc } from '../proc.js';
import { ErrorTally, distribution } from '../report.js';
import type { Scenario } from '../scenario.js';

export const connectScenario: Scenario = async (ctx) => {
  const sessions = ctx.num('sessions', 200);
  const concurrency = ctx.num('concurrency', 1);
  const hold = ctx.str('hold', concurrency > 1 ? 'yes' : 'no') === 'yes';
  const errors = new ErrorTally();
  const held: TelnetClient[] = [];
  const from = sampleProc(ctx.board.pid);
  const t0 = performance.now();
  const results = await pool(sessions, concurrency, async (i) => {
    const { value: c, ms } = await timed(async () => {
      const c = await caller(ctx.board.port, i);
      await c.readUntil('login:');
      return c;
    });
    if (hold) held.push(c);
    else await c.close();
    return ms;
  });
  const wall = (performance.now() - t0) / 1000;
  const to = sampleProc(ctx.board.pid);
  const ms = errors.values(results);
  ctx.progress(`${ms.length}/${sessions} reached login:; closing`);
  await closeAll(held);
  return {
    params: { sessions, concurrency, hold },
    latencies: { 'connect -> login:': distribution(ms) },
    figures: { 'reached login:': ms.length, 'wall time (s)': wall },
    errors,
    notes: [],
    window: { from, to },
  };
};
