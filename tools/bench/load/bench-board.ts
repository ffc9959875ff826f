// A carrier for load tests: the built server (dist) in its own process, a temp data dir,
// a kernel-chosen port, and a config that lifts the per-address and per-network caps
// and the abuse controls, which exist to stop one source opening thousands of
// connections: exactly what a load generator on one machine does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { npmStartRuntime } from './start-flags.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

export interface BenchBoardOptions {
  /** 'dist' (default): the build production runs; 'src': TypeScript through tsx */
  source?: 'dist' | 'src';
  /** V8 old-space limit for the server, MiB (default 4096: 10,000 sessions fit well inside) */
  maxOldSpaceMb?: number;
  /** accounts to create: load1..loadN, all with BENCH_PASSWORD */
  users?: number;
  logLevel?: 'info' | 'warn';
  /** scrypt N for the accounts' hashes (default: the board's, 16384); a lower one makes logins cheap */
  scryptN?: number;
  /** 'npm-start' (default): the environment and node flags `npm start` uses; 'bare': plain node */
  runtime?: 'npm-start' | 'bare';
  /** limits.keysPerSecond and limits.keyBurst (default: the board's own defaults) */
  keyRate?: { perSecond: number; burst?: number };
}

export interface BenchBoard {
  port: number;
  pid: number;
  dataDir: string;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const BENCH_PASSWORD = 'load-test-password-1';

/**
 * Every cap a load test crosses, lifted: 20,000 connections, all from 127.0.0.0/24, none
 * of them logged in yet during a burst, none penalised for hanging up at `login:`, and
 * sessions that outlive a long run. Keys follow config/carrier.yaml.
 */
function benchConfig(dataDir: string, logLevel: string, scryptN: number | undefined, keyRate: BenchBoardOptions['keyRate']): string {
  return [
    'host: 127.0.0.1',
    `dataDir: ${JSON.stringify(dataDir)}`,
    'telnet: { port: 0 }',
    'ssh: { port: off }',
    'rlogin: { port: off }',
    'web: { port: 0 }',
    `paths: { scripts: ${JSON.stringify(join(repoRoot, 'scripts'))}, art: ${JSON.stringify(join(repoRoot, 'art'))}, menus: ${JSON.stringify(join(repoRoot, 'config', 'menus'))} }`,
    `log: { level: ${logLevel}, file: false }`,
    'limits:',
    '  maxConnections: 30000',
    '  maxPerIp: 10000',
    '  maxPerSubnet: 100000',
    '  backlog: 8192',
    '  startups: { start: 100000, rate: 0, full: 100000 }',
    ...(keyRate ? [`  keysPerSecond: ${keyRate.perSecond}`, ...(keyRate.burst ? [`  keyBurst: ${keyRate.burst}`] : [])] : []),
    'security:',
    '  allowlist: [127.0.0.0/8, "::1"]',
    '  penalties: { enabled: false }',
    '  auditLog: false',
    ...(scryptN ? [`  scrypt: { N: ${scryptN} }`] : []),
    'session: { loginTimeout: 30m, idleTimeout: 2h }',
    'chat: { floodRate: 100, floodBurst: 1000 }',
  ].join('\n') + '\n';
}

/**
 * What code a run measures: the commit, and how many files under packages/ differ from it.
 * dist is built in the shared tree, so it may hold uncommitted work (anyone's) or be stale.
 */
export function buildStamp(): string {
  const git = (...args: string[]): string => spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8' }).stdout.trim();
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const changed = git('status', '--porcelain', '--', 'packages').split('\n').filter(Boolean).length;
  return changed === 0 ? `commit ${commit}, packages/ as committed` : `commit ${commit}, ${changed} file${changed === 1 ? '' : 's'} under packages/ uncommitted (the build may hold them)`;
}

function cliArgs(source: 'dist' | 'src'): string[] {
  return source === 'dist'
    ? [join(repoRoot, 'packages/server/dist/cli.js')]
    : ['--conditions=carrier-src', '--import', 'tsx', join(repoRoot, 'packages/server/src/cli.ts')];
}

export async function startBenchBoard(opts: BenchBoardOptions = {}): Promise<BenchBoard> {
  const source = opts.source ?? 'dist';
  if (source === 'dist' && !existsSync(join(repoRoot, 'packages/server/dist/cli.js'))) {
    throw new Error('packages/server/dist is missing: run `npm run build` (or use --server src)');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'carrier-load-'));
  const configFile = join(dataDir, 'carrier.yaml');
  writeFileSync(configFile, benchConfig(dataDir, opts.logLevel ?? 'info', opts.scryptN, opts.keyRate));
  const runtime = opts.runtime === 'bare' ? { env: {}, nodeFlags: [] } : npmStartRuntime(repoRoot);
  const env: NodeJS.ProcessEnv = { ...process.env, ...runtime.env, CARRIER_CONFIG: configFile, CARRIER_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '' };
  for (const k of ['CARRIER_HOST', 'CARRIER_TELNET_PORT', 'CARRIER_SSH_PORT', 'CARRIER_RLOGIN_PORT', 'CARRIER_WEB_PORT']) delete env[k];

  for (let i = 1; i <= (opts.users ?? 1); i++) {
    const r = spawnSync(process.execPath, [...cliArgs(source), 'user', 'add', `load${i}`, '--password-stdin'], { env, input: `${BENCH_PASSWORD}\n`, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`user add load${i} failed: ${r.stderr}`);
  }

  // The log goes to a file, not a pipe: a pipe this process stopped reading would block the server.
  const logFile = join(dataDir, 'stdout.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...runtime.nodeFlags, `--max-old-space-size=${opts.maxOldSpaceMb ?? 4096}`, ...cliArgs(source), 'start'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', fd, fd],
  });
  let stopping = false;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      // A board that dies mid-run takes its data dir with it at stop(): say why first.
      if (!stopping) {
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
        process.stderr.write(`carrier exited during the run (code ${code}, signal ${signal}); the end of its log:\n${tail}\n`);
      }
      r();
    }),
  );
  const deadline = Date.now() + 60_000;
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null) throw new Error(`carrier exited at start:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) throw new Error('carrier did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      if (!line.includes('"board.started"')) continue;
      const fe = (JSON.parse(line) as { frontEnds: { protocol: string; port: number }[] }).frontEnds.find((f) => f.protocol === 'telnet');
      port = fe?.port;
    }
  }
  return {
    port,
    pid: child.pid!,
    dataDir,
    logFile,
    process: child,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
