#!/usr/bin/env node
// The load tool: runs one scenario against a fresh carrier (the built dist, its own temp
// data dir) and prints p50/p90/p99/max, errors, and the server's RSS and CPU; the same
// goes to JSON. See docs/benchmarks.md for the figures on record and how they were made.
//
//   ulimit -n 65536      # 10,000 sessions need 10,000 sockets on each side
//   npm run build
//   node --conditions=carrier-src --import tsx tools/bench/load/load.ts <scenario> [--option value ...]
//
// scenarios (options, defaults):
//   connect     --sessions 200 --concurrency 1 [--hold yes]   connect -> login: latency; burst: --concurrency = --sessions
//   idle        --sessions 1000 --concurrency 100 --settle 60 [--procs 2]  callers parked at the main menu: RSS per session;
//               --procs spreads the callers over that many load processes (one holds at most its fd limit)
//   echo        --sessions 1000 --rate 1 --duration 60 [--at login|chat]  keystroke echo latency under load
//   chat        --sessions 200 --rate 2 --duration 30          chat fan-out latency
//   throughput  --sessions 500 --concurrency 50                logins per second
// common: --users 20 (accounts load1..N)  --server dist|src  --heap 4096 (server MiB)
//         --runtime npm-start|bare (the board's environment and node flags: npm start's, or none)
//         --scrypt-n 1024 (the accounts' password cost; default the board's 16384: logins are scrypt-bound)
//         --json file (default tools/bench/load/results/<scenario>.json)
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { repoRoot, startBenchBoard } from './bench-board.js';
import { loginCaller, sleep } from './callers.js';
import { cpuPercent, sampleProc, waitPercent } from './proc.js';
import { printReport, writeReport, type ScenarioReport } from './report.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { chatScenario } from './scenarios/chat.js';
import { connectScenario } from './scenarios/connect.js';
import { echoScenario } from './scenarios/echo.js';
import { idleScenario } from './scenarios/idle.js';
import { throughputScenario } from './scenarios/throughput.js';

const SCENARIOS: Record<string, Scenario> = {
  connect: connectScenario,
  idle: idleScenario,
  echo: echoScenario,
  chat: chatScenario,
  throughput: throughputScenario,
};

function options(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
    out.set(a.slice(2), v);
    i++;
  }
  return out;
}

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  const scenario = name ? SCENARIOS[name] : undefined;
  if (!scenario) {
    process.stderr.write(`usage: load.ts <${Object.keys(SCENARIOS).join('|')}> [--option value ...] (see the header of tools/bench/load/load.ts)\n`);
    return 2;
  }
  const opts = options(rest);
  const used = new Set<string>();
  const num = (k: string, def: number) => {
    used.add(k);
    const v = opts.get(k);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k} needs a positive number`);
    return n;
  };
  const str = (k: string, def: string) => {
    used.add(k);
    return opts.get(k) ?? def;
  };
  const users = num('users', 20);
  const source = str('server', 'dist') === 'src' ? 'src' : 'dist';
  const jsonFile = str('json', join(repoRoot, 'tools/bench/load/results', `${name}.json`));
  const heap = num('heap', 4096);
  const runtime = str('runtime', 'npm-start') === 'bare' ? 'bare' : 'npm-start';
  const scryptN = opts.has('scrypt-n') ? num('scrypt-n', 16384) : undefined;

  const progress = (text: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
  progress(`starting carrier (${source}) with ${users} accounts`);
  const board = await startBenchBoard({ source, users, maxOldSpaceMb: heap, runtime, scryptN });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    // One caller first, so the scripts and art are loaded and cached before anything is measured.
    const warm = await loginCaller(board.port, 0, users);
    await warm.close();
    await sleep(3000);
    const idleSample = sampleProc(board.pid);
    progress(`board idle at ${(idleSample.rss / 1024 / 1024).toFixed(1)} MiB; running ${name}`);

    const ctx: ScenarioContext = { board, users, num, str, progress };
    const loadBefore = loadavg()[0]!;
    loop.enable();
    const genFrom = sampleProc(process.pid);
    const outcome = await scenario(ctx);
    const genTo = sampleProc(process.pid);
    loop.disable();
    for (const k of opts.keys()) if (!used.has(k)) throw new Error(`--${k} is not an option of ${name}`);

    const report: ScenarioReport = {
      scenario: name!,
      command: `node --conditions=carrier-src --import tsx tools/bench/load/load.ts ${process.argv.slice(2).join(' ')}`,
      startedAt: new Date().toISOString(),
      params: { ...outcome.params, users, server: source, runtime, ...(scryptN ? { scryptN } : {}) },
      latencies: outcome.latencies,
      figures: outcome.figures,
      errors: outcome.errors.count,
      errorSamples: outcome.errors.list(),
      server: {
        idleRss: idleSample.rss,
        rss: outcome.window.to.rss,
        peakRss: outcome.window.to.peakRss,
        cpuPercent: cpuPercent(outcome.window.from, outcome.window.to),
        runQueueWaitPercent: waitPercent(outcome.window.from, outcome.window.to),
      },
      generator: { rss: process.memoryUsage().rss, cpuPercent: cpuPercent(genFrom, genTo), eventLoopDelayP99Ms: loop.percentile(99) / 1e6, runQueueWaitPercent: waitPercent(genFrom, genTo) },
      notes: [
        ...outcome.notes,
        // Other work on the machine skews every figure: say how busy it was.
        `machine load average (1 min) ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`,
      ],
    };
    printReport(report);
    writeReport(report, jsonFile);
    progress(`wrote ${jsonFile}`);
    return 0;
  } finally {
    await board.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`load: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
