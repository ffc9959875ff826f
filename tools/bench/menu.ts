// Benchmark: the main menu (art, item list and prompt) shown to N callers at once.
//   npm run build && node --conditions=carrier-src --import tsx tools/bench/menu.ts [--callers 500] [--rounds 3] [--anonymous]
// Starts its own carrier (built server, temp data dir, port 0, caps opened wide). Each
// round connects all callers at the same moment and times connect -> `Command:` for
// each: telnet negotiation (SyncTERM-like answers, so no probe wait), session start,
// the login bookkeeping (store writes: login count, call record), the menu (YAML, hot
// reload stat), the CP437 art and the prompt. Password hashing is left out on purpose
// (callers are logged in by a bench start script): it would measure scrypt, not menus.
// --anonymous skips the login bookkeeping too: callers reach the menu as guests.
import { rmSync } from 'node:fs';
import { startCarrier } from '../../tests/harness.js';
import { percentile, rssOf, sleep } from './stats.js';
import { BENCH_LIMITS, BENCH_USER, benchBoardDirs, callUntil, type BenchCaller } from './workshop-board.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const CALLERS = arg('callers', 500);
const ROUNDS = arg('rounds', 3);
const fmt = (v: number) => `${v.toFixed(0)} ms`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

const ANONYMOUS = process.argv.includes('--anonymous');
const dirs = benchBoardDirs({}, [], { anonymous: ANONYMOUS });
const board = await startCarrier({ logLevel: 'info', dist: true, scriptsDir: dirs.scriptsDir, menusDir: dirs.menusDir, yaml: BENCH_LIMITS });
try {
  await board.addUser(BENCH_USER, 'bench-password-1');
  // Warm up: scripts compiled, menu parsed, art cached.
  (await callUntil(board.ports.telnet!, 'Command:')).socket.destroy();
  await sleep(500);
  const idle = await rssOf(board.process.pid!);
  console.log(`main menu to ${CALLERS} callers at once${ANONYMOUS ? ' as guests' : ', logged in'}, ${ROUNDS} rounds (connect -> "Command:")`);
  for (let round = 1; round <= ROUNDS; round++) {
    const t0 = performance.now();
    const callers: BenchCaller[] = await Promise.all(Array.from({ length: CALLERS }, () => callUntil(board.ports.telnet!, 'Command:')));
    const wall = performance.now() - t0;
    const times = callers.map((c) => c.ms);
    const rss = await rssOf(board.process.pid!);
    console.log(
      `round ${round}: p50 ${fmt(percentile(times, 50))}, p90 ${fmt(percentile(times, 90))}, p99 ${fmt(percentile(times, 99))}, ` +
        `max ${fmt(Math.max(...times))}; all ${CALLERS} at the menu after ${fmt(wall)}; server RSS ${mib(rss)} (idle ${mib(idle)})`,
    );
    for (const c of callers) c.socket.destroy();
    await sleep(2000);
  }
} finally {
  await board.stop();
  rmSync(dirs.dir, { recursive: true, force: true });
}
