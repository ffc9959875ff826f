// Keystroke echo under load: N callers at the login prompt each type one key a second
// (a letter, then a backspace, so the line never fills), and each key's time from write
// to its echo is recorded. The login prompt's line editor is the echo every caller meets;
// `--at chat` types in the chat room's input line instead (logged in).
import type { TelnetClient } from '@carrier/client';
import { caller, closeAll, loginCaller, pool, sleep } from '../callers.js';
import { sampleProc } from '../proc.js';
import { ErrorTally, distribution } from '../report.js';
import type { Scenario } from '../scenario.js';
import { enterChat } from './chat.js';

const KEYS = [
  { send: 'x', echo: 'x' },
  // DEL; the line editor rubs the character out with backspace, space, backspace.
  { send: '\x7f', echo: '\b \b' },
] as const;

export const echoScenario: Scenario = async (ctx) => {
  const sessions = ctx.num('sessions', 1000);
  const rate = ctx.num('rate', 1);
  const durationS = ctx.num('duration', 60);
  const concurrency = ctx.num('concurrency', 100);
  const at = ctx.str('at', 'login');
  const errors = new ErrorTally();
  const opened = await pool(sessions, concurrency, async (i) => {
    if (at === 'chat') {
      const c = await loginCaller(ctx.board.port, i, ctx.users);
      await enterChat(c);
      return c;
    }
    const c = await caller(ctx.board.port, i);
    await c.readUntil('login:');
    return c;
  });
  const clients: TelnetClient[] = [];
  for (const r of opened) {
    if (r.ok) clients.push(r.value);
    else errors.add(r.error);
  }
  ctx.progress(`${clients.length} callers at the ${at} prompt; typing for ${durationS} s`);
  const latencies: number[] = [];
  const intervalMs = 1000 / rate;
  const from = sampleProc(ctx.board.pid);
  const end = performance.now() + durationS * 1000;
  await Promise.all(
    clients.map(async (c) => {
      // Spread over the interval, as people's keystrokes are.
      await sleep(Math.random() * intervalMs);
      for (let k = 0; performance.now() < end; k++) {
        const next = performance.now() + intervalMs;
        const key = KEYS[k % KEYS.length]!;
        try {
          c.readAvailable();
          const t0 = performance.now();
          c.write(key.send);
          await c.readUntil(key.echo, { timeout: 10_000 });
          latencies.push(performance.now() - t0);
        } catch (err) {
          errors.add(err);
          if (c.closed) return;
        }
        await sleep(Math.max(0, next - performance.now()));
      }
    }),
  );
  const to = sampleProc(ctx.board.pid);
  await closeAll(clients);
  return {
    params: { sessions, rate, durationS, at },
    latencies: { 'key -> echo': distribution(latencies) },
    figures: { 'keys per second': latencies.length / durationS },
    errors,
    notes: [],
    window: { from, to },
  };
};
