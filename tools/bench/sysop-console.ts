// The sysop console's refresh cost with 1,000 callers connected: `carrier sysop` runs in
// tmux (160x50) against a board with N raw telnet callers parked at `login:`; the
// console polls `who` every second (and stats/bans every 5 s). Measured from /proc: the
// console process's CPU per second, and the board's CPU per second with the console
// running minus without it (windows of --window seconds, --runs of each, medians).
//   node --conditions=carrier-src --import tsx tools/bench/sysop-console.ts [--callers 1000] [--window 20] [--runs 3]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, startCarrier } from '../../tests/harness.js';
import { RawControl } from '../../tests/sysop/control-support.js';
import { sleep } from './stats.js';

const { values } = parseArgs({ options: { callers: { type: 'string', default: '1000' }, window: { type: 'string', default: '20' }, runs: { type: 'string', default: '3' } } });
const CALLERS = Number(values.callers);
const WINDOW_S = Number(values.window);
const RUNS = Number(values.runs);
const TICK = 100;

const cpuSeconds = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const board = await startCarrier({
  logLevel: 'info',
  yaml: [
    'limits: { maxConnections: 10000, maxPerIp: 10000, maxPerSubnet: 10000, startups: { start: 10000, rate: 0, full: 10000 } }',
    'session: { loginTimeout: 1h, idleTimeout: 1h }',
  ].join('\n'),
});
const tmp = mkdtempSync(join(tmpdir(), 'carrier-bench-console-'));
const sockets: net.Socket[] = [];
let tmuxSocket: string | undefined;
try {
  for (let i = 0; i < CALLERS; i++) {
    const s = net.connect({ port: board.ports.telnet!, host: '127.0.0.1', localAddress: `127.0.${2 + Math.floor(i / 250)}.${1 + (i % 250)}` });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    sockets.push(s);
    if (i % 50 === 49) await sleep(100);
  }
  const control = await RawControl.connect(board.dataDir);
  control.keepAlive();
  for (let tries = 0; ; tries++) {
    const who = (await control.ok('who')) as unknown[];
    if (who.length >= CALLERS) {
      console.log(`${who.length} callers on the board (who reply ${JSON.stringify(who).length} bytes)`);
      break;
    }
    if (tries > 120) throw new Error(`only ${who.length} callers reached the board`);
    await sleep(1000);
  }
  control.close();
  const boardPid = board.process.pid!;
  const windowCpu = async (pids: number[]): Promise<number[]> => {
    const before = pids.map(cpuSeconds);
    await sleep(WINDOW_S * 1000);
    return pids.map((p, i) => (cpuSeconds(p) - before[i]!) / WINDOW_S);
  };

  const idle: number[] = [];
  for (let r = 0; r < RUNS; r++) idle.push((await windowCpu([boardPid]))[0]!);

  tmuxSocket = join(tmp, `tmux-${randomBytes(4).toString('hex')}`);
  const cmd = [process.execPath, '--conditions=carrier-src', '--import', 'tsx', join(repoRoot, 'packages', 'server', 'src', 'cli.ts'), 'sysop'];
  execFileSync('tmux', [
    '-S', tmuxSocket, '-f', '/dev/null', 'new-session', '-d', '-s', 'sysop', '-x', '160', '-y', '50',
    '-e', 'TERM=xterm-256color', '-e', `CARRIER_CONFIG=${board.env['CARRIER_CONFIG']}`, '-e', `CARRIER_DATA_DIR=${board.dataDir}`,
    '-c', repoRoot, `exec ${cmd.map((a) => `'${a}'`).join(' ')}`,
  ]);
  const consolePid = Number(execFileSync('tmux', ['-S', tmuxSocket, 'list-panes', '-t', 'sysop', '-F', '#{pane_pid}'], { encoding: 'utf8' }).trim());
  // Start-up (tsx compiling, the first draw) is not the steady refresh.
  for (let i = 0; i < 60; i++) {
    const screen = execFileSync('tmux', ['-S', tmuxSocket, 'capture-pane', '-p', '-t', 'sysop'], { encoding: 'utf8' });
    if (/today: calls/.test(screen) && / S spy /.test(screen)) break;
    await sleep(1000);
  }
  await sleep(5000);
  const withConsole: { board: number; console: number }[] = [];
  for (let r = 0; r < RUNS; r++) {
    const [b, c] = await windowCpu([boardPid, consolePid]);
    withConsole.push({ board: b!, console: c! });
    console.log(`window ${r + 1}: board ${(b! * 1000).toFixed(0)} ms/s (idle ${(idle[r]! * 1000).toFixed(0)} ms/s), console ${(c! * 1000).toFixed(0)} ms/s`);
  }
  const boardExtra = median(withConsole.map((w) => w.board)) - median(idle);
  console.log(
    JSON.stringify({
      bench: 'sysop-console-refresh',
      callers: CALLERS,
      windowS: WINDOW_S,
      runs: RUNS,
      consoleCpuMsPerS: +(median(withConsole.map((w) => w.console)) * 1000).toFixed(1),
      boardCpuMsPerSIdle: +(median(idle) * 1000).toFixed(1),
      boardCpuMsPerSWithConsole: +(median(withConsole.map((w) => w.board)) * 1000).toFixed(1),
      boardExtraMsPerS: +(boardExtra * 1000).toFixed(1),
      loadavg: +loadavg()[0]!.toFixed(2),
    }),
  );
} finally {
  if (tmuxSocket) {
    try {
      execFileSync('tmux', ['-S', tmuxSocket, 'kill-server']);
    } catch {
      /* gone */
    }
  }
  for (const s of sockets) s.destroy();
  await board.stop();
  rmSync(tmp, { recursive: true, force: true });
}
