// Benchmark: keypress to a usable full-screen view (issue 11 item 3).
//   node --conditions=carrier-src --import tsx tools/bench/view-open.ts [--reps 30]
// Starts the battery's board (sources). One telnet caller (80x25) at the main menu presses
// W and times until who's online has drawn its list, then leaves it with Space and waits
// for the menu; the same for C (chat: until its input line is drawn, /quit to leave).
// Also checks type-ahead: `w` then `d` in one write must reach the list.
import { ACCOUNTS, startBattery } from '../../tests/hostile/support/battery.js';
import { percentileOf, StormTelnet } from '../../tests/hostile/support/storm.js';

const i = process.argv.indexOf('--reps');
const REPS = i > 0 ? Number(process.argv[i + 1]) : 30;

const battery = await startBattery({ session: { idleTimeout: '600s' } });
const stop = (): void => void battery.stop().then(() => process.exit(1));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
try {
  const c = await StormTelnet.connect(battery.ports.telnet!, battery.attacker());
  await c.login(ACCOUNTS[0]!.handle, ACCOUNTS[0]!.password);
  const results: Record<string, number[]> = { "who's online": [], chat: [] };
  for (let r = 0; r < REPS + 2; r++) {
    let t0 = performance.now();
    await c.type('w', 'P page', 30_000);
    if (r >= 2) results["who's online"]!.push(performance.now() - t0);
    await c.type(' ', 'Command:', 30_000);
    t0 = performance.now();
    await c.type('c', '/help for commands', 30_000);
    if (r >= 2) results['chat']!.push(performance.now() - t0);
    await c.type('/quit\r', 'Command:', 30_000);
  }
  for (const [view, ms] of Object.entries(results)) {
    console.log(`${view}: keypress to usable view p50 ${percentileOf(ms, 50).toFixed(1)} ms, p99 ${percentileOf(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (${ms.length} opens)`);
  }
  // Type-ahead: W and D in one write: the D reaches the list (do-not-disturb goes on).
  await c.type('wd', 'disturb is on', 30_000);
  console.log('type-ahead: `wd` in one write reached the list');
  c.close();
} finally {
  await battery.stop();
}
