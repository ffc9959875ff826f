import { readFile } from 'node:fs/promises';
import { isCarrierError, silentLogger } from '@carrier/core';
import { LEVELS, openStore, type Store } from '@carrier/store';
import { ConfigError, loadConfig, type LoadedConfig } from './config.js';
import type { CarrierConfig } from './config-schema.js';
import { runCheck } from './check.js';
import { openLog } from './logging.js';
import { startBoard } from './start.js';

const USAGE = `usage: carrier <verb>
  start                                   run the board
  check                                   validate config, scripts, menus and art
  user add <handle> --password-stdin [--sysop]
  user list
  user key add <handle> <file|->          register an ssh public key (- reads standard input)
  user key list <handle>
  user key remove <handle> <fingerprint|id>
`;

class UsageError extends Error {}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('this reads standard input, which is a terminal here; pipe the input in');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function withStore<T>(cfg: CarrierConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({
    dataDir: cfg.dataDir,
    log: silentLogger,
    ...(cfg.database.url ? { databaseUrl: cfg.database.url, pool: { min: 0, max: 2 } } : {}),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function start(loaded: LoadedConfig): Promise<number | undefined> {
  const { log, close } = openLog(loaded.config);
  log.info('config.loaded', { file: loaded.file ?? '(defaults)' });
  const running = await startBoard(loaded.config, log);
  // carrier's own handlers come first, so a library's (blessed installs some) never act alone.
  const stop = (signal: string) => {
    running
      .stop(signal)
      .then(close)
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('uncaughtException', (err) => log.error('process.uncaught_exception', { err }));
  process.on('unhandledRejection', (err) => log.error('process.unhandled_rejection', { err }));
  return undefined;
}

async function user(args: string[], cfg: CarrierConfig): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') {
    const handle = rest.find((a) => !a.startsWith('--'));
    if (!handle) throw new UsageError('user add needs a handle');
    if (!rest.includes('--password-stdin')) throw new UsageError('user add needs --password-stdin (the password is read from standard input)');
    const password = (await readStdin()).replace(/\r?\n$/, '');
    const level = rest.includes('--sysop') ? LEVELS.sysop : LEVELS.user;
    return withStore(cfg, async (store) => {
      try {
        const u = await store.users.create({ handle, password, level });
        out(`added ${u.handle} (level ${u.level})`);
        return 0;
      } catch (err) {
        if (isCarrierError(err)) {
          process.stderr.write(`carrier: user add: ${err.message}\n`);
          return 1;
        }
        throw err;
      }
    });
  }
  if (sub === 'list') {
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
  if (sub === 'key') return userKey(rest, cfg);
  throw new UsageError(`unknown user verb ${JSON.stringify(sub ?? '')}`);
}

async function userKey(args: string[], cfg: CarrierConfig): Promise<number> {
  const [sub, handle, arg] = args;
  if (!sub || !handle) throw new UsageError('user key needs add, list or remove, and a handle');
  return withStore(cfg, async (store) => {
    const u = await store.users.findByHandle(handle);
    if (!u) {
      process.stderr.write(`carrier: no user ${JSON.stringify(handle)}\n`);
      return 1;
    }
    try {
      if (sub === 'add') {
        if (!arg) throw new UsageError('user key add needs a public key file, or - for standard input');
        const text = arg === '-' ? await readStdin() : await readFile(arg, 'utf8');
        const k = await store.keys.add(u.id, text);
        out(`added ${k.algo} ${k.fingerprint} for ${u.handle}`);
        return 0;
      }
      if (sub === 'list') {
        for (const k of await store.keys.list(u.id)) out(`${k.id}\t${k.algo}\t${k.fingerprint}\t${k.comment ?? ''}`);
        return 0;
      }
      if (sub === 'remove') {
        if (!arg) throw new UsageError('user key remove needs a fingerprint or id');
        const removed = await store.keys.remove(u.id, /^\d+$/.test(arg) ? Number(arg) : arg);
        if (!removed) {
          process.stderr.write(`carrier: ${u.handle} has no key ${arg}\n`);
          return 1;
        }
        out(`removed ${arg}`);
        return 0;
      }
    } catch (err) {
      if (isCarrierError(err)) {
        process.stderr.write(`carrier: user key ${sub}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    throw new UsageError(`unknown user key verb ${JSON.stringify(sub)}`);
  });
}

export async function runCli(argv: string[]): Promise<number | undefined> {
  const [verb, ...args] = argv;
  if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
    out(USAGE);
    return verb ? 0 : 2;
  }
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
        return await start(loaded);
      case 'check':
        return await runCheck(loaded, out);
      case 'user':
        return await user(args, loaded.config);
      default:
        throw new UsageError(`unknown verb ${JSON.stringify(verb)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`carrier: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`carrier: invalid config: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

