#!/usr/bin/env node
// Benchmarks for a board served by several processes (docs/benchmarks.md, "Many nodes").
//
//   npm run build && ulimit -n 65536
//   node --conditions=carrier-src --import tsx tools/bench/scaling.ts workers [--workers 1,2,4]
//        [--logins 400] [--concurrency 50] [--echo-sessions 500] [--echo-seconds 20]
//   node --conditions=carrier-src --import tsx tools/bench/scaling.ts chat [--callers 1000] [--lines 30]
//   node --conditions=carrier-src --import tsx tools/bench/scaling.ts heal [--callers 200] [--runs 3] [--window 10]
//
// workers: for each worker count, a fresh carrier (`workers: N`, PostgreSQL + Redis, the
//   same for N = 1 so the worker count is the only change) measures
//   - connect -> main menu throughput: `--logins` callers log in `--concurrency` at a time
//     (each login verifies a production-cost scrypt hash);
//   - keystroke echo: `--echo-sessions` callers at `login:` type a key a second for
//     `--echo-seconds`; the time from each key to its echo.
// chat: two carrier processes (one each, not a cluster) share PostgreSQL and Redis; half
//   the callers on each are in the lobby; each line said (alternating nodes) is timed
//   until every other member has it: the cross-node fan-out.
// heal: presence heal after kill -9 and each process's Redis traffic (tools/bench/heal.ts).
//
// Needs PostgreSQL (CARRIER_BENCH_PG_URL, default postgres://127.0.0.1:5432/test as the
// OS user) and Redis (CARRIER_BENCH_REDIS_URL, default redis://127.0.0.1:6379); it works
// in a schema and key prefix of its own and removes them afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import type { TelnetClient } from '@carrier/client';
import { BENCH_PASSWORD, repoRoot } from './load/bench-board.js';
import { caller, closeAll, loginCaller, pool, sleep, timed } from './load/callers.js';
import { cpuPercent, MiB, sampleProc, waitPercent, type ProcSample } from './load/proc.js';
import { distribution, type Distribution } from './load/report.js';
import { enterChat } from './load/scenarios/chat.js';
import { healBench } from './heal.js';

const PG_URL = process.env['CARRIER_BENCH_PG_URL'] ?? `postgres://${userInfo().username}@127.0.0.1:5432/test`;
export const REDIS_URL = process.env['CARRIER_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const USERS = 20;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const num = (name: string, def: number): number => Number(arg(name, String(def)));

export interface Board {
  port: number;
  /** the primary (or the only process) and every worker, for CPU and memory */
  pids(): number[];
  stop(): Promise<void>;
}

/** Same cap lifting as tools/bench/load/bench-board.ts: one machine plays thousands of callers. */
function config(dataDir: string, schema: string, prefix: string, workers: number): string {
  return [
    'host: 127.0.0.1',
    `dataDir: ${JSON.stringify(dataDir)}`,
    'telnet: { port: 0 }',
    'ssh: { port: off }',
    'web: { port: off }',
    `paths: { scripts: ${JSON.stringify(join(repoRoot, 'scripts'))}, art: ${JSON.stringify(join(repoRoot, 'art'))}, menus: ${JSON.stringify(join(repoRoot, 'config', 'menus'))} }`,
    'log: { level: warn, file: false }',
    `workers: ${workers}`,
    `database: { url: ${JSON.stringify(PG_URL)}, schema: ${schema}, poolMax: 10 }`,
    `bus: { redisUrl: ${JSON.stringify(REDIS_URL)}, keyPrefix: ${JSON.stringify(prefix)} }`,
    'limits: { maxConnections: 30000, maxPerIp: 10000, maxPerSubnet: 100000, backlog: 8192, startups: { start: 100000, rate: 0, full: 100000 } }',
    'security: { allowlist: [127.0.0.0/8, "::1"], penalties: { enabled: false }, auditLog: false }',
    'session: { loginTimeout: 30m, idleTimeout: 2h }',
    'chat: { floodRate: 100, floodBurst: 1000 }',
  ].join('\n');
}

async function startBoard(schema: string, prefix: string, workers: number): Promise<Board> {
  const cli = join(repoRoot, 'packages/server/dist/cli.js');
  if (!existsSync(cli)) throw new Error('packages/server/dist is missing: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'carrier-scaling-'));
  const configFile = join(dataDir, 'carrier.yaml');
  writeFileSync(configFile, config(dataDir, schema, prefix, workers));
  // info level for the start-up lines this reads (ports, worker pids); warn would hide them.
  writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('level: warn', 'level: info'));
  const logFile = join(dataDir, 'stdout.log');
  const fd = openSync(logFile, 'a');
  const env = { ...process.env, CARRIER_CONFIG: configFile, DATABASE_URL: '', REDIS_URL: '' };
  // CARRIER_BENCH_NODE_ARGS: extra node flags for the boards, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env['CARRIER_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, ['--max-old-space-size=4096', ...nodeArgs, cli, 'start'], { cwd: repoRoot, env, stdio: ['ignore', fd, fd] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = (): Array<Record<string, unknown>> =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`carrier exited at start:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) throw new Error('carrier did not start within 90 s');
    if (lines().filter((l) => l['event'] === 'board.started').length >= workers) break;
    await sleep(200);
  }
  const started = lines().find((l) => l['event'] === 'board.started')!;
  const port = (started['frontEnds'] as Array<{ protocol: string; port: number }>).find((f) => f.protocol === 'telnet')!.port;
  return {
    port,
    pids: () => [child.pid!, ...lines().filter((l) => l['event'] === 'cluster.worker_started').map((l) => Number(l['workerPid']))],
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU and memory of every process of a board, summed. */
function sample(pids: number[]): ProcSample {
  const all = pids.map((p) => {
    try {
      return sampleProc(p);
    } catch {
      return undefined; // a process that has exited meanwhile
    }
  });
  const live = all.filter((s): s is ProcSample => s !== undefined);
  return {
    rss: live.reduce((a, s) => a + s.rss, 0),
    peakRss: live.reduce((a, s) => a + s.peakRss, 0),
    cpuSeconds: live.reduce((a, s) => a + s.cpuSeconds, 0),
    runQueueWaitSeconds: live.reduce((a, s) => a + s.runQueueWaitSeconds, 0),
    at: performance.now(),
  };
}

/** A schema with USERS accounts at production scrypt cost, and a fresh Redis prefix. */
async function prepare(): Promise<{ schema: string; prefix: string; cleanup(): Promise<void> }> {
  const schema = `carrier_bench_${randomBytes(5).toString('hex')}`;
  const prefix = `carrier-bench:${randomBytes(5).toString('hex')}:`;
  const dir = mkdtempSync(join(tmpdir(), 'carrier-scaling-users-'));
  const store = await openStore({ dataDir: dir, databaseUrl: PG_URL, searchPath: schema, log: silentLogger });
  for (let i = 1; i <= USERS; i++) await store.users.create({ handle: `load${i}`, password: BENCH_PASSWORD, level: 10 });
  await store.close();
  return {
    schema,
    prefix,
    async cleanup() {
      const s = await openStore({ dataDir: dir, databaseUrl: PG_URL, searchPath: schema, log: silentLogger, pool: { min: 0, max: 1 } });
      await s.knex.raw('drop schema ?? cascade', [schema]);
      await s.close();
      rmSync(dir, { recursive: true, force: true });
      const keys = spawnSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${prefix}*`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (let i = 0; i < keys.length; i += 200) spawnSync('redis-cli', ['-u', REDIS_URL, 'del', ...keys.slice(i, i + 200)]);
    },
  };
}

const f = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');
const dist = (d: Distribution): string => `p50 ${f(d.p50)}  p90 ${f(d.p90)}  p99 ${f(d.p99)}  max ${f(d.max)} ms (n=${d.n})`;

async function workersBench(): Promise<void> {
  const counts = arg('workers', '1,2,4').split(',').map(Number);
  const logins = num('logins', 400);
  const concurrency = num('concurrency', 50);
  const echoSessions = num('echo-sessions', 500);
  const echoSeconds = num('echo-seconds', 20);
  for (const workers of counts) {
    const env = await prepare();
    const board = await startBoard(env.schema, env.prefix, workers);
    try {
      // Warm up: each worker compiles its scripts on its first caller.
      await pool(workers * 4, workers * 4, async (i) => (await loginCaller(board.port, i, USERS)).close());

      let from = sample(board.pids());
      const t0 = performance.now();
      const results = await pool(logins, concurrency, async (i) => {
        const { value: c, ms } = await timed(() => loginCaller(board.port, i, USERS));
        await c.close();
        return ms;
      });
      const wall = (performance.now() - t0) / 1000;
      let to = sample(board.pids());
      const ok = results.filter((r): r is { ok: true; value: number } => r.ok).map((r) => r.value);
      console.log(`workers ${workers}: connect -> main menu, ${logins} logins ${concurrency} at a time: ${f(ok.length / wall)} logins/s, ${dist(distribution(ok))}, errors ${logins - ok.length}, CPU ${f(cpuPercent(from, to))}% of one core, waiting for a CPU ${f(waitPercent(from, to))}%`);

      const opened = await pool(echoSessions, 100, async (i) => {
        const c = await caller(board.port, i);
        await c.readUntil('login:');
        return c;
      });
      const clients = opened.filter((r): r is { ok: true; value: TelnetClient } => r.ok).map((r) => r.value);
      const latencies: number[] = [];
      let errors = echoSessions - clients.length;
      from = sample(board.pids());
      const end = performance.now() + echoSeconds * 1000;
      await Promise.all(
        clients.map(async (c) => {
          await sleep(Math.random() * 1000);
          for (let k = 0; performance.now() < end; k++) {
            const next = performance.now() + 1000;
            const [send, echo] = k % 2 === 0 ? ['x', 'x'] : ['\x7f', '\b \b'];
            try {
              c.readAvailable();
              const t = performance.now();
              c.write(send);
              await c.readUntil(echo, { timeout: 10_000 });
              latencies.push(performance.now() - t);
            } catch {
              errors++;
              if (c.closed) return;
            }
            await sleep(Math.max(0, next - performance.now()));
          }
        }),
      );
      to = sample(board.pids());
      await closeAll(clients);
      console.log(`workers ${workers}: keystroke echo, ${clients.length} callers at login: typing 1 key/s for ${echoSeconds} s: ${dist(distribution(latencies))}, errors ${errors}, CPU ${f(cpuPercent(from, to))}%, waiting for a CPU ${f(waitPercent(from, to))}%, RSS ${f(to.rss / MiB)} MiB`);
    } finally {
      await board.stop();
      await env.cleanup();
    }
  }
}

const TOKEN = /tok(\d+)x/g;

async function chatBench(): Promise<void> {
  const callers = num('callers', 1000);
  const lines = num('lines', 30);
  const env = await prepare();
  const boards = [await startBoard(env.schema, env.prefix, 1), await startBoard(env.schema, env.prefix, 1)];
  const members: Array<{ c: TelnetClient; node: number }> = [];
  try {
    const opened = await pool(callers, 50, async (i) => {
      const node = i % 2;
      const c = await loginCaller(boards[node]!.port, i, USERS);
      await enterChat(c);
      return { c, node };
    });
    for (const r of opened) if (r.ok) members.push(r.value);
    console.log(`${members.length} callers in the lobby (${members.filter((m) => m.node === 0).length} on node A, ${members.filter((m) => m.node === 1).length} on node B); letting the joins settle`);
    await sleep(5_000);
    // The idle cost of 1,000 parked members (heartbeats, timers) over the last 5 s of the
    // settling, per node, so the per-line CPU below is the lines' own.
    const idleFrom = boards.map((b) => sample(b.pids()));
    await sleep(5_000);
    const idleTo = boards.map((b) => sample(b.pids()));
    const sentAt: number[] = [];
    const senderOf: number[] = [];
    const seen: Array<Set<number>> = [];
    const sameNode: number[] = [];
    const otherNode: number[] = [];
    const last: number[] = [];
    members.forEach(({ c, node }, m) => {
      let tail = '';
      c.readAvailable();
      c.on('data', (bytes: Buffer) => {
        const now = performance.now();
        const text = tail + bytes.toString('latin1');
        for (const match of text.matchAll(TOKEN)) {
          const k = Number(match[1]);
          if (match.index! + match[0].length <= tail.length || sentAt[k] === undefined || senderOf[k] === m || seen[k]!.has(m)) continue;
          seen[k]!.add(m);
          const ms = now - sentAt[k]!;
          (members[senderOf[k]!]!.node === node ? sameNode : otherNode).push(ms);
          last[k] = Math.max(last[k] ?? 0, ms);
        }
        tail = text.slice(-24);
      });
    });
    const from = sample(boards.flatMap((b) => b.pids()));
    const fromEach = boards.map((b) => sample(b.pids()));
    for (let k = 0; k < lines; k++) {
      // Alternate the speaker's node; one line a second so each fan-out is measured alone.
      const m = (k * 2 + (k % 2)) % members.length;
      seen[k] = new Set();
      senderOf[k] = m;
      sentAt[k] = performance.now();
      members[m]!.c.write(`tok${k}x says hello\r`);
      await sleep(1000);
    }
    const grace = performance.now() + 10_000;
    while (performance.now() < grace && seen.reduce((n, s) => n + s.size, 0) < lines * (members.length - 1)) await sleep(100);
    const to = sample(boards.flatMap((b) => b.pids()));
    const toEach = boards.map((b) => sample(b.pids()));
    // CPU milliseconds each node spent per line: the window's CPU less the idle rate over
    // the window, over the lines. (The % of one core below is averaged over a window that is
    // mostly idle, one line a second, so it reads a few per cent: true, but not per line.)
    const perLine = boards.map((_, i) => {
      const idleRate = (idleTo[i]!.cpuSeconds - idleFrom[i]!.cpuSeconds) / ((idleTo[i]!.at - idleFrom[i]!.at) / 1000);
      const window = (toEach[i]!.at - fromEach[i]!.at) / 1000;
      return ((toEach[i]!.cpuSeconds - fromEach[i]!.cpuSeconds - idleRate * window) * 1000) / lines;
    });
    const missing = lines * (members.length - 1) - seen.reduce((n, s) => n + s.size, 0);
    console.log(`cross-node chat fan-out, ${members.length} callers over 2 processes, ${lines} lines:`);
    console.log(`  line -> member on the same node:   ${dist(distribution(sameNode))}`);
    console.log(`  line -> member on the other node:  ${dist(distribution(otherNode))}`);
    console.log(`  line -> last of the ${members.length - 1} others:   ${dist(distribution(last.filter((v) => v !== undefined)))}`);
    console.log(`  deliveries missing: ${missing}; CPU both processes ${f(cpuPercent(from, to))}% of one core over the ${f((to.at - from.at) / 1000)} s of lines, waiting for a CPU ${f(waitPercent(from, to))}%; RSS ${f(to.rss / MiB)} MiB`);
    console.log(`  CPU per line, idle subtracted: node A ${f(perLine[0]!)} ms, node B ${f(perLine[1]!)} ms (idle ${boards.map((_, i) => f((100 * (idleTo[i]!.cpuSeconds - idleFrom[i]!.cpuSeconds)) / ((idleTo[i]!.at - idleFrom[i]!.at) / 1000))).join(' / ')}% of one core)`);
  } finally {
    await closeAll(members.map((m) => m.c));
    for (const b of boards) await b.stop();
    await env.cleanup();
  }
}

const mode = process.argv[2];
if (mode === 'workers') await workersBench();
else if (mode === 'chat') await chatBench();
else if (mode === 'heal') await healBench({ prepare, startBoard, arg, num, users: USERS, redisUrl: REDIS_URL });
else {
  process.stderr.write('usage: scaling.ts workers|chat|heal [--option value ...] (see the header of tools/bench/scaling.ts)\n');
  process.exitCode = 2;
}
