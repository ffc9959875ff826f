// Chat fan-out: N callers in the lobby; one of them (a different one each time) says a
// line `--rate` times a second, and the time until each other member sees it is recorded,
// as is the time until the last one does.
import type { TelnetClient } from '@carrier/client';
import { closeAll, loginCaller, pool, sleep } from '../callers.js';
import { sampleProc } from '../proc.js';
import { ErrorTally, distribution } from '../report.js';
import type { Scenario } from '../scenario.js';

/** The chat room's first line to a caller who joins (packages/engine/src/chat). */
const JOINED = 'You are in #lobby';

/** From the main menu into the lobby; resolves once the room has greeted the caller. */
export async function enterChat(c: TelnetClient): Promise<void> {
  c.readAvailable();
  c.write('c');
  await c.readUntil(JOINED);
}

const TOKEN = /tok(\d+)x/g;
/** Long enough to hold a token split across two reads. */
const TAIL = 24;

export const chatScenario: Scenario = async (ctx) => {
  const sessions = ctx.num('sessions', 200);
  const rate = ctx.num('rate', 2);
  const durationS = ctx.num('duration', 30);
  const concurrency = ctx.num('concurrency', 50);
  const errors = new ErrorTally();
  const opened = await pool(sessions, concurrency, async (i) => {
    const c = await loginCaller(ctx.board.port, i, ctx.users);
    await enterChat(c);
    return c;
  });
  const members: TelnetClient[] = [];
  for (const r of opened) {
    if (r.ok) members.push(r.value);
    else errors.add(r.error);
  }
  ctx.progress(`${members.length} callers in the lobby; letting the joins settle`);
  await sleep(5000);

  const sentAt: number[] = [];
  const senderOf: number[] = [];
  const perReceiver: number[] = [];
  const lastArrival: number[] = [];
  const seen: Array<Set<number>> = [];
  members.forEach((c, m) => {
    let tail = '';
    c.readAvailable();
    c.on('data', (bytes) => {
      const now = performance.now();
      const text = tail + bytes.toString('latin1');
      for (const match of text.matchAll(TOKEN)) {
        const k = Number(match[1]);
        if (match.index! + match[0].length <= tail.length || senderOf[k] === m || sentAt[k] === undefined) continue;
        if (seen[k]!.has(m)) continue;
        seen[k]!.add(m);
        perReceiver.push(now - sentAt[k]!);
        lastArrival[k] = Math.max(lastArrival[k] ?? 0, now - sentAt[k]!);
      }
      tail = text.slice(-TAIL);
    });
  });

  const from = sampleProc(ctx.board.pid);
  const messages = Math.floor(durationS * rate);
  for (let k = 0; k < messages; k++) {
    const m = k % members.length;
    seen[k] = new Set();
    senderOf[k] = m;
    sentAt[k] = performance.now();
    try {
      members[m]!.write(`tok${k}x says hello\r`);
    } catch (err) {
      errors.add(err);
    }
    await sleep(1000 / rate);
  }
  // The last lines' fan-out finishes after the last send.
  const grace = performance.now() + 10_000;
  while (performance.now() < grace && seen.reduce((n, s) => n + s.size, 0) < messages * (members.length - 1)) await sleep(100);
  const to = sampleProc(ctx.board.pid);
  const expected = messages * (members.length - 1);
  const missing = expected - perReceiver.length;
  for (let i = 0; i < missing; i++) errors.add(new Error('a chat line never reached a member'));
  await closeAll(members);
  return {
    params: { sessions, rate, durationS },
    latencies: {
      'line -> each member': distribution(perReceiver),
      'line -> last member': distribution(lastArrival.filter((v) => v !== undefined)),
    },
    figures: { 'lines said': messages, 'deliveries': perReceiver.length, 'deliveries per second': perReceiver.length / durationS },
    errors,
    notes: [],
    window: { from, to },
  };
};
