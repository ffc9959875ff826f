import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createLogger, silentLogger } from '@carrier/core';
import { openStore, type Store } from '@carrier/store';
import { ConfigError, loadConfig, type LoadedConfig } from './config.js';
import type { CarrierConfig } from './config-schema.js';
import { checkCommand } from './check.js';
import { ART_USAGE, artCommand } from './art-commands.js';
import { openLog } from './logging.js';
import { startBoard } from './start.js';
import { claimDataDir, DataDirInUseError, type DataDirClaim } from './data-dir-lock.js';
import { controlSocketPath } from './control/start-control.js';
import { storeOptions } from './backends.js';
import { runPrimary, serveWorker } from './cluster.js';
import { isClusterWorker, nodeCluster } from './cluster-role.js';
import { statusCommand } from './status-command.js';
import { MSG_USAGE, MsgUsageError, msgCommand } from './msg-command.js';
import { FILES_USAGE, FilesUsageError, filesCommand } from './files-command.js';
import { BAN_USAGE, banCommand, BanUsageError } from './security/ban-command.js';
import { scryptParams } from './security/security.js';
import { openAuditLog, type AuditLog } from './security/audit.js';
import { CONTROL_USAGE, ControlUsageError, controlCommand, dialBoard, statusWho, userAddCommand, userAdminCommand, userKeyCommand, type CliIo } from './control/cli-verbs.js';

const USAGE = `usage: carrier <verb>
  start [--workers N]                     run the board (N processes sharing the ports; needs Redis)
  status                                  board, database, bus and per-process health
  check                                   validate config, scripts, menus and art
  user add <handle> --password-stdin [--sysop]
  user list
  user key add <handle> <file|->          register an ssh public key (- reads standard input)
  user key list <handle>
  user key remove <handle> <fingerprint|id>
  telnet [--cp437|--utf8] [host [port]]   call a board from this terminal (Ctrl-] for commands)
  telnet --history [n]                    list past telnet calls
  probe <host> [ports]                    name what answers on each port of your own host
${CONTROL_USAGE}
${MSG_USAGE}
${FILES_USAGE}
${BAN_USAGE}
${ART_USAGE}`;

class UsageError extends Error {}

/**
 * The usage lines for the verb a usage error names (`user set-level needs …` shows the
 * `user set-level` line), or all of them when it names none: not a 40-line wall for a typo.
 */
function usageFor(message: string): string {
  // `unknown user verb "frob"`: the user lines; `ban add: …`: the ban add line.
  const words = (/^unknown ([a-z]+(?: [a-z]+)?) verb /.exec(message)?.[1] ?? message)
    .split(' ')
    .slice(0, 2)
    .map((w) => w.replace(/:$/, ''));
  for (const n of [2, 1]) {
    const verb = words.slice(0, n).join(' ');
    if (!/^[a-z][a-z-]*( [a-z][a-z-]*)?$/.test(verb)) continue;
    const lines = USAGE.split('\n').filter((l) => l.startsWith(`  ${verb} `) || l === `  ${verb}`);
    if (lines.length > 0) return `usage: carrier <verb>\n${lines.join('\n')}\n`;
  }
  return `${USAGE}\n`;
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('this reads standard input, which is a terminal here; pipe the input in');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Errors only (an audit line that could not be written), to standard error. */
const stderrLogger = createLogger({ level: 'error', sinks: [{ write: (line) => process.stderr.write(line) }] });

async function withStore<T>(cfg: CarrierConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ ...storeOptions(cfg, silentLogger, { min: 0, max: 2 }), passwordParams: scryptParams(cfg) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `--workers N` (or `--workers=N`) wins over `workers:` in the config. */
function workersFrom(args: string[], configured: number): number {
  // Anything else is a mistake (`--workrs 4` would start one process and say nothing).
  const i = args.findIndex((a) => a === '--workers' || a.startsWith('--workers='));
  const other = args.find((a, j) => j !== i && !(j === i + 1 && args[i] === '--workers'));
  if (other !== undefined) throw new UsageError(`start takes --workers N, not ${JSON.stringify(other.slice(0, 40))}`);
  if (i < 0) return configured;
  const raw = args[i]!.includes('=') ? args[i]!.slice('--workers='.length) : args[i + 1];
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 64) {
    throw new UsageError(`--workers needs a whole number from 1 to 64 (got ${JSON.stringify(raw ?? '')})`);
  }
  return Number(raw);
}

async function start(loaded: LoadedConfig, args: string[]): Promise<number | undefined> {
  const workers = workersFrom(args, loaded.config.workers);
  // One board per data dir, claimed before its log, its store or any port is opened (a
  // cluster's workers share their primary's claim). Only for a board whose store is the
  // data dir's SQLite file: the nodes of a board on a database share one data dir on
  // purpose (docker-compose.yml's volume: one ssh host key whichever node answers).
  let claim: DataDirClaim | undefined;
  if (!isClusterWorker() && !loaded.config.database.url) {
    mkdirSync(loaded.config.dataDir, { recursive: true });
    try {
      claim = await claimDataDir(loaded.config.dataDir, controlSocketPath(loaded.config));
    } catch (err) {
      if (!(err instanceof DataDirInUseError)) throw err;
      process.stderr.write(`carrier: ${err.message}\n`);
      return 2;
    }
    const held = claim;
    process.once('exit', () => held.release());
  }
  const { log, close } = openLog(loaded.config);
  log.info('config.loaded', { file: loaded.file ?? '(defaults)' });
  if (claim?.warning !== undefined) log.warn('board.data_dir_unclaimed', { reason: claim.warning });
  if (workers > 1 && !isClusterWorker()) {
    process.on('uncaughtException', (err) => log.error('process.uncaught_exception', { err }));
    process.on('unhandledRejection', (err) => log.error('process.unhandled_rejection', { err }));
    const code = await runPrimary(loaded.config, workers, log);
    await close();
    return code;
  }
  // A signal during start-up (a cluster primary stopping a worker that is still starting,
  // `docker stop` during migrations) is held until the board is up, then stops it cleanly.
  let up: Awaited<ReturnType<typeof startBoard>> | undefined;
  let held: string | undefined;
  // carrier's own handlers come first, so a library's (blessed installs some) never act alone.
  const stop = (signal: string) => {
    if (!up) {
      held ??= signal;
      return;
    }
    up
      .stop(signal)
      .then(close)
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  let running: Awaited<ReturnType<typeof startBoard>>;
  try {
    running = await startBoard(loaded.config, log, {
      serveHealth: !isClusterWorker(),
      // A shutdown from the console ends the board the way SIGTERM does (all workers of a cluster).
      requestStop: () => process.kill(isClusterWorker() ? process.ppid : process.pid, 'SIGTERM'),
    });
  } catch (err) {
    // A worker that cannot start lets go of its primary, or the IPC channel would keep it
    // running for ever; it then exits with the code the CLI gives the error (2 for config).
    if (isClusterWorker()) nodeCluster().worker?.disconnect();
    throw err;
  }
  up = running;
  if (held) stop(held);
  // A stray exception or rejection closes the session it came from; the board lives on.
  running.security.installProcessGuards(log);
  if (isClusterWorker()) serveWorker(running, stop);
  return undefined;
}

async function user(args: string[], cfg: CarrierConfig): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    if (rest.length > 0) throw new UsageError('user list takes no arguments');
    return withStore(cfg, async (store) => {
      const users = await store.users.list();
      out(`${'handle'.padEnd(21)}${'level'.padEnd(7)}${'calls'.padEnd(7)}last login`);
      for (const u of users) {
        const last = u.lastLoginAt ? new Date(u.lastLoginAt).toISOString().replace('T', ' ').slice(0, 16) : 'never';
        out(`${u.handle.padEnd(21)}${String(u.level).padEnd(7)}${String(u.callCount).padEnd(7)}${last}`);
      }
      return 0;
    });
  }
  const known = ['add', 'key', 'show', 'set-level', 'set-location', 'set-flags', 'set-notes', 'passwd', 'lock', 'unlock', 'delete'];
  if (sub === undefined || !known.includes(sub)) throw new UsageError(`unknown user verb ${JSON.stringify(sub ?? '')}`);
  // The board's audit trail, opened at the first line (a change made with no board running).
  let audit: AuditLog | undefined;
  const io: CliIo = {
    out,
    err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
    readStdin,
    withStore: (fn) => withStore(cfg, fn),
    audit: { control: (event, fields) => (audit ??= openAuditLog(cfg, stderrLogger)).control(event, fields) },
  };
  try {
    if (sub === 'add') return await userAddCommand(rest, cfg, io);
    if (sub === 'key') return await userKey(rest, cfg, io);
    return await userAdminCommand(sub, rest, cfg, io);
  } finally {
    await audit?.close();
  }
}

/** `user key add|list|remove`: add and remove are account changes (the board's verbs, audited); list only reads. */
async function userKey(args: string[], cfg: CarrierConfig, io: CliIo): Promise<number> {
  const [sub, handle, arg] = args;
  if (!sub || !handle) throw new UsageError('user key needs add, list or remove, and a handle');
  if (sub === 'add') {
    if (!arg) throw new UsageError('user key add needs a public key file, or - for standard input');
    const text = arg === '-' ? await readStdin() : await readKeyFile(arg);
    if (text === undefined) return 1;
    return userKeyCommand('add', handle, text, cfg, io);
  }
  if (sub === 'remove') {
    if (!arg) throw new UsageError('user key remove needs a fingerprint or id');
    return userKeyCommand('remove', handle, arg, cfg, io);
  }
  if (sub !== 'list') throw new UsageError(`unknown user key verb ${JSON.stringify(sub)}`);
  return withStore(cfg, async (store) => {
    const u = await store.users.findByHandle(handle);
    if (!u) {
      process.stderr.write(`carrier: user key list: no user ${JSON.stringify(handle)}\n`);
      return 1;
    }
    for (const k of await store.keys.list(u.id)) out(`${k.id}\t${k.algo}\t${k.fingerprint}\t${k.comment ?? ''}`);
    return 0;
  });
}

/** A public key file the sysop named; undefined (after one line saying why) when it cannot be read. */
async function readKeyFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code) throw err;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a folder' : e.code;
    process.stderr.write(`carrier: user key add: cannot read ${JSON.stringify(path)}: ${why}\n`);
    return undefined;
  }
}

export async function runCli(argv: string[]): Promise<number | undefined> {
  const [verb, ...args] = argv;
  if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
    out(USAGE);
    return verb ? 0 : 2;
  }
  // `who 3` or `status -v` would otherwise pass for the plain verb.
  if ((verb === 'check' || verb === 'status' || verb === 'who') && args.length > 0) {
    process.stderr.write(`carrier: ${verb} takes no arguments (got ${JSON.stringify(args[0]!.slice(0, 40))})\n${usageFor(verb)}`);
    return 2;
  }
  // check reads the config itself, to report its problems with everything else's.
  if (verb === 'check') return await checkCommand(out);
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`carrier: invalid config: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    switch (verb) {
      case 'start':
        return await start(loaded, args);
      case 'status': {
        const code = await statusCommand(loaded.config, out, (text) => process.stderr.write(text));
        await statusWho(loaded.config, out);
        return code;
      }
      case 'who':
      case 'kick':
      case 'message':
      case 'broadcast':
      case 'shutdown':
        return await controlCommand(verb, args, loaded.config, {
          out,
          err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
          readStdin,
          withStore: (fn) => withStore(loaded.config, fn),
        });
      case 'sysop':
        return await (await import('./control/console-command.js')).sysopConsoleCommand(loaded.config, (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`));
      case 'msg':
        return await msgCommand(args, loaded.config, {
          out,
          err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
          readStdin,
          withStore: (fn) => withStore(loaded.config, fn),
        });
      case 'files':
        return await filesCommand(args, loaded.config, {
          out,
          err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
          withStore: (fn) => withStore(loaded.config, fn),
        });
      case 'user':
        return await user(args, loaded.config);
      case 'ban':
        return await banCommand(args, loaded.config, {
          out,
          err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
          withStore: (fn) => withStore(loaded.config, fn),
          board: () => dialBoard(loaded.config),
        });
      case 'telnet':
        return await withStore(loaded.config, async (store) => (await import('@carrier/client')).runTelnetCommand(args, { history: store.clientHistory }));
      case 'probe':
        return await (await import('@carrier/client')).runProbeCommand(args);
      case 'art':
        return await artCommand(args, {
          out,
          err: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
          bytes: (data) => process.stdout.write(data),
          cols: process.stdout.columns ?? 80,
        });
      default:
        throw new UsageError(`unknown verb ${JSON.stringify(verb)}`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof BanUsageError || err instanceof ControlUsageError || err instanceof MsgUsageError || err instanceof FilesUsageError) {
      process.stderr.write(`carrier: ${err.message}\n${usageFor(err.message)}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`carrier: invalid config: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

