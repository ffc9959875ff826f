// Runs a real carrier process for end-to-end tests: a temp data dir, ports chosen by the
// kernel (port 0) and read back from the structured log, and the CLI against the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { dialControl, type ControlClient } from '@carrier/sysop/protocol';

export const repoRoot = resolve(import.meta.dirname, '..');
const distEntry = join(repoRoot, 'packages', 'server', 'dist', 'cli.js');
/**
 * How tests run `carrier` (after `node`): the sources through tsx, or, when the test run
 * was started with `run-tests.mjs --built` (`npm test`, after its build), the built server
 * that `npm start` runs. A tsx start costs about 0.65 s more CPU than the built one, and a
 * full run starts a few hundred boards and CLIs. The one place a test gets this from.
 */
export const carrierArgv: readonly string[] =
  process.env['CARRIER_TEST_BUILT'] === '1' ? [distEntry] : ['--conditions=carrier-src', '--import', 'tsx', join(repoRoot, 'packages', 'server', 'src', 'cli.ts')];
/** The same as one shell command line, for a test that types it into a terminal. */
export const carrierShellCommand = ['node', ...carrierArgv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

export interface Carrier {
  /** `web` is the browser front end's HTTP port (page at /, WebSocket at /ws) */
  ports: { telnet?: number; ssh?: number; rlogin?: number; web?: number };
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logs: Record<string, unknown>[];
  /** Resolves with the first log line matching, waiting up to `timeoutMs`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  addUser(handle: string, password: string, sysop?: boolean): Promise<void>;
  stop(): Promise<number | null>;
  process: ChildProcess;
}

export interface CarrierOptions {
  /** extra YAML appended to the generated test config */
  yaml?: string;
  env?: NodeJS.ProcessEnv;
  telnet?: boolean;
  ssh?: boolean;
  /** run packages/server/dist (build first) instead of the sources through tsx */
  dist?: boolean;
  /** default debug, so tests can wait for debug events */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** true, or extra flow-mapping keys for the rlogin section, e.g. `trusted: [127.0.0.1]` */
  rlogin?: boolean | string;
  /** the web front end is on (port 0) unless false; a string adds flow-mapping keys, e.g. `trustedProxies: [127.0.0.1]` */
  web?: boolean | string;
  /** folders to use instead of the repo's scripts/, art/ and config/menus/ (the `yaml` option cannot repeat `paths:`) */
  scriptsDir?: string;
  artDir?: string;
  menusDir?: string;
  /** how long the board has to log `board.started` (default START_TIMEOUT_MS) */
  startTimeoutMs?: number;
}

/** A board that has not logged `board.started` by then is not going to (a cold tsx start on a loaded machine takes a few seconds). */
export const START_TIMEOUT_MS = 30_000;
/** The board's log lines a failed start quotes. */
const START_FAILURE_LINES = 12;

export async function startCarrier(opts: CarrierOptions = {}): Promise<Carrier> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carrier-e2e-'));
  const configFile = join(dataDir, 'carrier.yaml');
  writeFileSync(
    configFile,
    [
      'host: 127.0.0.1',
      `dataDir: ${JSON.stringify(dataDir)}`,
      `telnet: { port: ${opts.telnet === false ? 'off' : 0} }`,
      `ssh: { port: ${opts.ssh ? 0 : 'off'} }`,
      `rlogin: { port: ${opts.rlogin ? 0 : 'off'}${typeof opts.rlogin === 'string' ? `, ${opts.rlogin}` : ''} }`,
      `web: { port: ${opts.web === false ? 'off' : 0}${typeof opts.web === 'string' ? `, ${opts.web}` : ''} }`,
      `paths: { scripts: ${JSON.stringify(opts.scriptsDir ?? join(repoRoot, 'scripts'))}, art: ${JSON.stringify(opts.artDir ?? join(repoRoot, 'art'))}, menus: ${JSON.stringify(opts.menusDir ?? join(repoRoot, 'config', 'menus'))} }`,
      `log: { level: ${opts.logLevel ?? 'debug'}, file: false }`,
      opts.yaml ?? '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CARRIER_CONFIG: configFile,
    CARRIER_DATA_DIR: dataDir,
    DATABASE_URL: '',
    REDIS_URL: '',
    ...opts.env,
  };
  for (const k of ['CARRIER_HOST', 'CARRIER_TELNET_PORT', 'CARRIER_SSH_PORT', 'CARRIER_RLOGIN_PORT', 'CARRIER_WEB_PORT']) delete env[k];
  Object.assign(env, opts.env);

  // Benchmarks run the built server (what `npm start` runs) whatever the test run does.
  const serverArgs = opts.dist ? [distEntry] : carrierArgv;
  const child = spawn(process.execPath, [...serverArgs, 'start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // A test runner that dies (or is killed) must not leave a carrier running behind it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const logs: Record<string, unknown>[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    logs.push(rec);
    for (const w of [...waiters]) {
      if (w.match(rec)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(rec);
      }
    }
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const closed = new Promise<void>((res) => child.once('close', () => res()));

  const waitForLog = (match: (l: Record<string, unknown>) => boolean, timeoutMs = 10_000) => {
    const found = logs.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
      waiters.push({ match, resolve: (l) => { clearTimeout(t); res(l); } });
      void exited.then((code) => { clearTimeout(t); rej(new Error(`carrier exited (${code}) before the log line; stderr: ${stderr.slice(-2000)}`)); });
    });
  };

  const startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS;
  let started: Record<string, unknown>;
  try {
    started = await waitForLog((l) => l['event'] === 'board.started', startTimeoutMs);
  } catch {
    // A board that did not start leaves nothing behind (its process, its data folder) and says why.
    const exitedItself = child.exitCode !== null || child.signalCode !== null;
    if (!exitedItself) child.kill('SIGKILL');
    // 'close' comes once its output is read to the end: the last lines are in `logs` and `stderr`.
    await closed;
    rmSync(dataDir, { recursive: true, force: true });
    const why = exitedItself
      ? `exited (${child.exitCode ?? child.signalCode}) before logging board.started`
      : `did not log board.started within ${startTimeoutMs} ms, and was killed`;
    const last = logs.slice(-START_FAILURE_LINES).map((l) => JSON.stringify(l));
    throw new Error(
      [
        `carrier ${why}.`,
        last.length > 0 ? `Its last log lines:\n${last.join('\n')}` : 'It logged nothing.',
        `stderr: ${stderr.trim().slice(-2000) || '(empty)'}`,
      ].join('\n'),
    );
  }
  const ports: Carrier['ports'] = {};
  for (const fe of started['frontEnds'] as { protocol: 'telnet' | 'ssh' | 'rlogin' | 'websocket'; port: number }[]) ports[fe.protocol === 'websocket' ? 'web' : fe.protocol] = fe.port;

  const cli = (args: string[], stdin?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      const p = spawn(process.execPath, [...carrierArgv, ...args], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code) => res({ code: code ?? -1, stdout: out, stderr: err }));
      p.stdin.end(stdin ?? '');
    });

  return {
    ports,
    dataDir,
    env,
    logs,
    waitForLog,
    cli,
    async addUser(handle, password, sysop = false) {
      // The verb `carrier user add` sends a running board (control channel, user.add), sent
      // from here: the board makes and audits the account the same way, and no CLI process
      // starts (a tsx start is 1-3 s of CPU on a loaded machine, and a suite adds hundreds of
      // accounts). The CLI's own relay of it is tests/sysop/user-live.test.ts's subject. With
      // no control channel answering (a board stopped or killed), the CLI, on the store.
      let control: ControlClient | undefined;
      try {
        control = await dialControl({ socketPath: join(dataDir, 'control.sock') });
      } catch {
        /* nothing listens: the CLI below */
      }
      if (control) {
        try {
          await control.request('user.add', { handle, password, ...(sysop ? { sysop } : {}) });
        } catch (err) {
          throw new Error(`user add ${handle} failed: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          control.close();
        }
        return;
      }
      const r = await cli(['user', 'add', handle, '--password-stdin', ...(sysop ? ['--sysop'] : [])], password + '\n');
      if (r.code !== 0) throw new Error(`user add ${handle} failed: ${r.stderr}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    process: child,
  };
}

/** Run a program to completion with a deadline; resolves with its output. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    p.on('exit', (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
    p.stdin.end(opts.input ?? '');
  });
}
