// Benchmark: who's online at scale. N callers (default 1,000) sit at the main menu and
// one more watches the live who's-online list; callers hang up one at a time and the
// time until the watcher's list shows the new count is measured.
//   node --conditions=carrier-src --import tsx tools/bench/chat-presence.ts [--callers 1000] [--hangups 20]
import { createRequire } from 'node:module';
import { percentile, sleep } from './stats.js';
import { BenchCaller, createUsers, inBatches, sourceAddress, startChatBoard } from './chat-support.js';

// tools/ has no dependencies of its own: borrow the client package's terminal emulator.
const { Terminal } = createRequire(new URL('../../packages/client/package.json', import.meta.url))('@xterm/headless') as typeof import('@xterm/headless');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const n = arg('callers', 1000);
const hangups = arg('hangups', 20);
const board = await startChatBoard(n + 1);
try {
  const handles = await createUsers(board, 'who', n + 1);
  const callers = await inBatches(handles.slice(1), 50, (h, i) => BenchCaller.login(board.ports.telnet!, sourceAddress(i + 1), h));
  const watcher = await BenchCaller.login(board.ports.telnet!, sourceAddress(0), handles[0]!);
  let online = n + 1;
  let shown = 0;
  // The list draws with blessed, which redraws only the cells that changed ("1001" to
  // "1000" is one digit): the watcher's output goes through a terminal emulator and
  // the title row is read back after each chunk.
  const term = new Terminal({ cols: 80, rows: 25, scrollback: 0, allowProposedApi: true });
  const waiters: Array<{ count: number; resolve(t: number): void }> = [];
  watcher.onText = (text) => {
    term.write(Buffer.from(text, 'latin1'), () => {
      const now = performance.now();
      const m = /Who's online - (\d+) caller/.exec(term.buffer.active.getLine(0)?.translateToString(true) ?? '');
      if (m) shown = Number(m[1]);
      for (const w of [...waiters]) if (shown === w.count) (waiters.splice(waiters.indexOf(w), 1), w.resolve(now));
    });
  };
  watcher.send('w');
  await new Promise<number>((resolve) => waiters.push({ count: online, resolve }));
  await sleep(1000);

  const took: number[] = [];
  for (let k = 0; k < hangups; k++) {
    const c = callers[k * Math.floor(n / hangups)]!;
    online -= 1;
    const seen = new Promise<number>((resolve) => waiters.push({ count: online, resolve }));
    const t0 = performance.now();
    c.close();
    const t1 = await Promise.race([seen, sleep(10_000).then(() => NaN)]);
    if (Number.isNaN(t1)) throw new Error(`the list never showed ${online} callers (last seen ${shown})`);
    took.push(t1 - t0);
    await sleep(300);
  }
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`${n} callers + 1 watching who's online; ${hangups} hang-ups: list updated p50 ${ms(percentile(took, 50))}, p99 ${ms(percentile(took, 99))}, max ${ms(Math.max(...took))}`);
  watcher.close();
  for (const c of callers) c.close();
} finally {
  await board.stop();
}
