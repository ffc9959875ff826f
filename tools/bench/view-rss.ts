// Benchmark: memory per open full-screen view (blessed, one screen per caller).
//   npm run build && node --conditions=carrier-src --import tsx tools/bench/view-rss.ts [--callers 200]
// Starts its own carrier (built server, temp data dir, port 0). N callers reach the main
// menu; the server's RSS is read; each opens a view (a bordered box and a 20-entry
// list, like a who's-online screen) and waits in it; RSS is read again. The difference
// over N is the cost of one open view. Then every view is closed and RSS read a third
// time (V8 keeps freed heap for reuse, so RSS falls only partly).
import { rmSync } from 'node:fs';
import { startCarrier } from '../../tests/harness.js';
import { rssOf, sleep } from './stats.js';
import { BENCH_LIMITS, BENCH_USER, benchBoardDirs, callUntil, sendUntil, type BenchCaller } from './workshop-board.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const CALLERS = arg('callers', 200);
/** Long enough for the server to finish rendering and for RSS to settle. */
const SETTLE_MS = 3000;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

const VIEW = `import type { Session } from '@carrier/engine';
export default async function benchview(s: Session): Promise<void> {
  const v = s.view<void>({ title: 'bench' });
  v.blessed.box({ parent: v.screen, top: 0, left: 0, width: '100%', height: 3, border: 'line', content: 'VIEW OPEN' });
  v.blessed.list({ parent: v.screen, top: 3, left: 0, width: '100%', height: '100%-3', items: Array.from({ length: 20 }, (_, i) => 'entry ' + i), keys: true });
  v.screen.key(['q'], () => v.close());
  v.screen.render();
  await v.result;
  s.println('VIEW CLOSED');
}
`;

const dirs = benchBoardDirs({ benchview: VIEW }, ['  - { key: V, text: View, gosub: benchview }']);
const board = await startCarrier({ logLevel: 'info', dist: true, scriptsDir: dirs.scriptsDir, menusDir: dirs.menusDir, yaml: BENCH_LIMITS });
try {
  await board.addUser(BENCH_USER, 'bench-password-1');
  // Warm up: blessed loaded, scripts compiled, one view opened and closed.
  const warm = await callUntil(board.ports.telnet!, 'Command:');
  await sendUntil(warm, 'v', 'VIEW');
  await sendUntil(warm, 'q', 'VIEW CLOSED');
  warm.socket.destroy();

  const callers: BenchCaller[] = [];
  for (let i = 0; i < CALLERS; i += 50) {
    callers.push(...(await Promise.all(Array.from({ length: Math.min(50, CALLERS - i) }, () => callUntil(board.ports.telnet!, 'Command:')))));
  }
  await sleep(SETTLE_MS);
  const atMenu = await rssOf(board.process.pid!);
  for (let i = 0; i < callers.length; i += 50) await Promise.all(callers.slice(i, i + 50).map((c) => sendUntil(c, 'v', 'VIEW')));
  await sleep(SETTLE_MS);
  const inViews = await rssOf(board.process.pid!);
  for (let i = 0; i < callers.length; i += 50) await Promise.all(callers.slice(i, i + 50).map((c) => sendUntil(c, 'q', 'VIEW CLOSED')));
  await sleep(SETTLE_MS);
  const closed = await rssOf(board.process.pid!);
  console.log(`${CALLERS} callers: RSS at the menu ${mib(atMenu)}, with a view open each ${mib(inViews)}, after closing them ${mib(closed)}`);
  console.log(`per open view: ${((inViews - atMenu) / CALLERS / 1024).toFixed(0)} KiB`);
  for (const c of callers) c.socket.destroy();
} finally {
  await board.stop();
  rmSync(dirs.dir, { recursive: true, force: true });
}
