// Benchmark: SSH password login -> main menu, and the memory of idle ssh sessions.
//   node --conditions=carrier-src --import tsx tools/bench/ssh-login.ts [--n 100] [--idle 200]
// Starts its own carrier (temp data dir, port 0, per-IP cap raised so one address can
// hold the idle sessions) and uses ssh2's client with a pty, like an interactive caller.
import { startCarrier } from '../../tests/harness.js';
import { sshToMenu as login } from './ssh-menu.js';
import { percentile, rssOf, sleep } from './stats.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const n = arg('n', 100);
const idle = arg('idle', 200);
const board = await startCarrier({ ssh: true, logLevel: 'info', dist: true, yaml: 'limits: { maxPerIp: 5000, maxPerSubnet: 5000, maxConnections: 5000, startups: { start: 5000, rate: 0, full: 5000 } }' });
try {
  await board.addUser('bench', 'bench-password-1');
  const port = board.ports.ssh!;
  (await login(port, 'bench', 'bench-password-1')).client.end(); // warm caches
  await sleep(500);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const { ms, client } = await login(port, 'bench', 'bench-password-1');
    times.push(ms);
    client.end();
  }
  await sleep(1000);
  const before = await rssOf(board.process.pid!);
  const clients: Awaited<ReturnType<typeof login>>['client'][] = [];
  for (let i = 0; i < idle; i++) clients.push((await login(port, 'bench', 'bench-password-1')).client);
  await sleep(2000);
  const after = await rssOf(board.process.pid!);
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`ssh password login -> main menu, ${n} sequential: p50 ${fmt(percentile(times, 50))}, p99 ${fmt(percentile(times, 99))}, max ${fmt(Math.max(...times))}`);
  console.log(`server RSS: ${(before / 1048576).toFixed(1)} MiB before, ${(after / 1048576).toFixed(1)} MiB with ${idle} idle ssh sessions at the main menu: ${((after - before) / idle / 1024).toFixed(0)} KiB per session`);
  for (const c of clients) c.end();
} catch (err) {
  console.error('failed:', err, board.logs.slice(-12));
  process.exitCode = 1;
} finally {
  await board.stop();
}
