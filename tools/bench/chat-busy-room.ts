// Benchmark: a busy chat room. N callers (default 200) in #lobby each say one line a
// second for D seconds (default 60), spread evenly over each second. Measures how long
// each line takes to reach each other member, and the server's CPU over the window.
//   node --conditions=carrier-src --import tsx tools/bench/chat-busy-room.ts [--callers 200] [--seconds 60]
import { percentile, rssOf, sleep } from './stats.js';
import { BenchCaller, cpuSeconds, createUsers, inBatches, sourceAddress, startChatBoard } from './chat-support.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const n = arg('callers', 200);
const seconds = arg('seconds', 60);
const board = await startChatBoard(n);
try {
  const handles = await createUsers(board, 'busy', n);
  const callers = await inBatches(handles, 50, (h, i) => BenchCaller.login(board.ports.telnet!, sourceAddress(i), h));
  await inBatches(callers, 50, async (c) => {
    c.send('c');
    await c.waitFor('You are in #lobby', 120_000);
  });
  await inBatches(callers, 100, (c) => c.waitFor(`| ${n} here`, 120_000));
  await sleep(1000);

  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  const TOKEN = /q(\d+)-(\d+)z/g;
  callers.forEach((c, me) => {
    let tail = '';
    c.onText = (text, now) => {
      const seen = tail + text;
      for (const m of seen.matchAll(TOKEN)) {
        if (m.index + m[0].length <= tail.length) continue; // counted with the previous chunk
        if (Number(m[1]) === me) continue; // the speaker's own echo and copy
        const t = sentAt.get(m[0]);
        if (t !== undefined) delays.push(now - t);
      }
      tail = seen.slice(-16);
    };
  });

  const pid = board.process.pid!;
  const cpu0 = cpuSeconds(pid);
  const wall0 = performance.now();
  let said = 0;
  const speakers = callers.map(async (c, i) => {
    await sleep((i / n) * 1000);
    for (let s = 0; s < seconds; s++) {
      const due = wall0 + (i / n) * 1000 + s * 1000;
      await sleep(Math.max(0, due - performance.now()));
      const token = `q${i}-${s}z`;
      sentAt.set(token, performance.now());
      c.send(`${token}\r`);
      said++;
    }
  });
  await Promise.all(speakers);
  await sleep(2000); // the last lines land
  const wall = (performance.now() - wall0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const rss = await rssOf(pid);

  const expected = said * (n - 1);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`${n} callers, ${said} lines over ${seconds} s (${(said / seconds).toFixed(0)} lines/s into the room, ${(expected / seconds).toFixed(0)} deliveries/s)`);
  console.log(`deliveries ${delays.length} of ${expected} expected: p50 ${ms(percentile(delays, 50))}, p99 ${ms(percentile(delays, 99))}, max ${ms(delays.reduce((a, b) => Math.max(a, b), 0))}`);
  console.log(`server CPU ${(cpu / wall * 100).toFixed(0)}% of one core over ${wall.toFixed(0)} s; RSS ${(rss / 1024 / 1024).toFixed(0)} MiB`);
  for (const c of callers) c.close();
} finally {
  await board.stop();
}
