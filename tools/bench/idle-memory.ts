// Benchmark: the resident memory of a board with no callers (issue 18, goal <= 60 MB).
//   npm run build
//   node --conditions=carrier-src --import tsx tools/bench/idle-memory.ts [--runs 3] [--wait 30] [--bare] [--node-options '--flag'] [--front-ends telnet,ssh,web] [--no-calls]
// Each run starts the built server (`packages/server/dist/cli.js start`, what `npm start`
// runs) with the shipped front ends on (telnet, ssh, web; rlogin is off by default; or
// those --front-ends names, telnet always), SQLite in a temp data dir kept across the runs
// (a board restarted), log level info; makes one warm-up call to the main menu over telnet
// and one over ssh when it is on (scripts loaded, art cached, an ssh key exchange and two
// password checks done), hangs both up, waits (V8 shrinks its young generation after a few
// idle seconds), and reads VmRSS from /proc/<pid>/status.
// --no-calls measures a board nobody has called since it started (the first start still
// makes its calls, to compile the scripts as a board's first callers would).
// The first start also compiles the scripts; the restarts after it are the median.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@carrier/client';
import { repoRoot, startCarrier } from '../../tests/harness.js';
import { npmStartRuntime } from './load/start-flags.js';
import { sshToMenu } from './ssh-menu.js';
import { percentile, rssOf, sleep, statusBytes } from './stats.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const USER = 'idle';
const PASSWORD = 'idle-memory-pass-1';

async function telnetCall(port: number): Promise<void> {
  const c = await connect({ port, terminalType: 'xterm-256color', cols: 80, rows: 25, timeout: 30_000 });
  try {
    await c.readUntil('login:');
    c.writeLine(USER);
    await c.readUntil('password:');
    c.writeLine(PASSWORD);
    await c.readUntil('Command:');
  } finally {
    await c.close();
  }
}

const runs = arg('runs', 3);
const frontEnds = process.argv.includes('--front-ends') ? process.argv[process.argv.indexOf('--front-ends') + 1]!.split(',') : ['telnet', 'ssh', 'web'];
const ssh = frontEnds.includes('ssh');
const web = frontEnds.includes('web');
const waitS = arg('wait', 30);
const calls = !process.argv.includes('--no-calls');
// The board runs with what `npm start` gives it (package.json: environment and node flags);
// --bare leaves both out, --node-options '...' adds flags, to measure one before shipping it.
const runtime = process.argv.includes('--bare') ? { env: {}, nodeFlags: [] } : npmStartRuntime(repoRoot);
const extraOptions = process.argv.includes('--node-options') ? process.argv[process.argv.indexOf('--node-options') + 1]! : '';
const nodeOptions = [...runtime.nodeFlags, extraOptions].join(' ').trim();
console.log(`board runtime: ${Object.entries(runtime.env).map(([k, v]) => `${k}=${v} `).join('')}node ${nodeOptions}; front ends: telnet${ssh ? ', ssh' : ''}${web ? ', web' : ''}`);
const mib = (v: number) => (v / 1048576).toFixed(1);

// One data dir for every start, like a board that is restarted: the first start creates the
// host keys and the account and compiles the scripts; the measured starts find them there.
const dataDir = mkdtempSync(join(tmpdir(), 'carrier-idle-'));
async function measure(label: string, first: boolean): Promise<{ start: number; idle: number }> {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const board = await startCarrier({ ssh, web, logLevel: 'info', dist: true, env: { ...runtime.env, CARRIER_DATA_DIR: dataDir, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) } });
  try {
    if (first) await board.addUser(USER, PASSWORD);
    await sleep(1000);
    const start = await rssOf(board.process.pid!);
    const call = first || calls;
    if (call) {
      await telnetCall(board.ports.telnet!);
      if (ssh) (await sshToMenu(board.ports.ssh!, USER, PASSWORD)).client.end();
    }
    await sleep(waitS * 1000);
    const idle = await rssOf(board.process.pid!);
    // Anonymous (V8 heap, malloc) vs file-backed (mostly pages of the node binary).
    const split = statusBytes(board.process.pid!, ['RssAnon', 'RssFile']);
    const after = call ? `after a telnet${ssh ? ' and an ssh' : ''} call` : 'with no call since start';
    console.log(`${label}: RSS ${mib(start)} MiB after start, ${mib(idle)} MiB idle ${waitS} s ${after} (anon ${mib(split.RssAnon)}, file ${mib(split.RssFile)}; load ${load})`);
    return { start, idle };
  } finally {
    await board.stop();
  }
}

try {
  await measure('first start (scripts compiled)', true);
  const results: { start: number; idle: number }[] = [];
  for (let r = 0; r < runs; r++) results.push(await measure(`restart ${r + 1}`, false));
  console.log(`restarts, median of ${runs}: ${mib(percentile(results.map((x) => x.start), 50))} MiB after start, ${mib(percentile(results.map((x) => x.idle), 50))} MiB idle (${results.map((x) => mib(x.idle)).join(' / ')})`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
