// Benchmark: fan-out in one chat room. N callers (default 1,000) sit in #lobby; one of
// them says a line; the time until every other caller has received it is measured, for
// many lines in a row.
//   node --conditions=carrier-src --import tsx tools/bench/chat-fanout.ts [--callers 1000] [--lines 50]
// Prints p50/p99 of "all N-1 received" per line, and p50/p99 of single deliveries.
import { percentile, sleep } from './stats.js';
import { BenchCaller, cpuSeconds, createUsers, inBatches, sourceAddress, startChatBoard } from './chat-support.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const n = arg('callers', 1000);
const lines = arg('lines', 50);
const board = await startChatBoard(n);
try {
  const handles = await createUsers(board, 'fan', n);
  const t0 = performance.now();
  const callers = await inBatches(handles, 50, (h, i) => BenchCaller.login(board.ports.telnet!, sourceAddress(i), h));
  console.log(`${n} callers logged in in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  await inBatches(callers, 50, async (c) => {
    c.send('c');
    await c.waitFor('You are in #lobby', 120_000);
  });
  // Everyone's title counts everyone before the clock starts: the join storm is over.
  await inBatches(callers, 100, (c) => c.waitFor(`| ${n} here`, 120_000));
  console.log(`all in #lobby in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  await sleep(1000);

  const speaker = callers[0]!;
  const listeners = callers.slice(1);
  const allReceived: number[] = [];
  const single: number[] = [];
  let serverCpu = 0;
  for (let k = 0; k < lines; k++) {
    const token = `fanout-${k}-${Math.random().toString(36).slice(2, 8)}`;
    let pending = listeners.length;
    let sentAt = 0;
    const done = new Promise<void>((resolve) => {
      for (const c of listeners) {
        let tail = '';
        c.onText = (text, now) => {
          const seen = tail + text;
          tail = seen.slice(-token.length);
          if (!seen.includes(token)) return;
          c.onText = undefined;
          single.push(now - sentAt);
          if (--pending === 0) resolve();
        };
      }
    });
    const cpu0 = cpuSeconds(board.process.pid!);
    sentAt = performance.now();
    speaker.send(`${token}\r`);
    await done;
    allReceived.push(performance.now() - sentAt);
    serverCpu += cpuSeconds(board.process.pid!) - cpu0;
    await sleep(600); // under the speaker's flood limit (2 lines/s)
  }
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`fan-out to ${listeners.length} callers, ${lines} lines: until all received p50 ${ms(percentile(allReceived, 50))}, p99 ${ms(percentile(allReceived, 99))}, max ${ms(Math.max(...allReceived))}`);
  console.log(`single deliveries (${single.length}): p50 ${ms(percentile(single, 50))}, p99 ${ms(percentile(single, 99))}`);
  console.log(`server CPU per line fanned out: ${ms((serverCpu / lines) * 1000)} (clock ticks of 10 ms: a mean, not a per-line figure)`);
  for (const c of callers) c.close();
} finally {
  await board.stop();
}
