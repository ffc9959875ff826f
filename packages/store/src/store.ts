import { mkdir } from 'node:fs/promises';
import knexFactory, { type Knex } from 'knex';
import { CarrierError, ErrorCodes, type Logger } from '@carrier/core';
import { createCallsRepository, type CallsRepository } from './calls.js';
import { createProcessesRepository, type ProcessesRepository } from './processes.js';
import { planDatabase, type PoolSize, type StoreKind } from './database.js';
import { migrateToLatest } from './migrate.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, type ScryptParams } from './passwords.js';
import { createKeysRepository, type KeysRepository, type PublicKeyCheck } from './keys.js';
import { createClientHistoryRepository, type ClientHistoryRepository } from './client-history.js';
import { createOnelinersRepository, type OnelinerLimits, type OnelinersRepository } from './oneliners.js';
import { createFilesRepository, type FilesRepository } from './files.js';
import { createChatHistoryRepository, type ChatHistoryRepository } from './chat-history.js';
import { createUsersRepository, type UsersRepository } from './users.js';
import { createLoginsRepository, type LoginsRepository } from './logins.js';
import { poolStats, type PoolStats } from './pool-stats.js';
import { guardRepository } from './unavailable.js';
import { createBansRepository, type BansRepository } from './bans.js';
import { createMessagesRepository, type MessagesRepository } from './messages.js';
import { createMailRepository, type MailRepository } from './mail.js';
import { createDoorUsageRepository, type DoorUsageRepository } from './door-usage.js';

export interface StoreOptions {
  /** SQLite lives in `<dataDir>/carrier.sqlite`; the directory is created if missing. */
  dataDir: string;
  /** `postgres://…`: use PostgreSQL instead of SQLite. */
  databaseUrl?: string | undefined;
  /** PostgreSQL connection pool; default { min: 0, max: 10 }. */
  pool?: PoolSize | undefined;
  log: Logger;
  /** PostgreSQL schema to work in, created if missing (tests use one per file). */
  searchPath?: string | undefined;
  /** Cost of new password hashes; older hashes are upgraded at the next login. */
  passwordParams?: ScryptParams | undefined;
  /** Milliseconds since the epoch; injectable so tests control "now". */
  clock?: (() => number) | undefined;
  /** The oneliners wall's bounds; defaults in oneliners.ts. */
  oneliners?: Partial<OnelinerLimits> | undefined;
  /** This carrier process's id, stamped on the calls it opens (see calls.endProcess). */
  processId?: string | undefined;
  /**
   * The full check of a public key's blob that `keys.add` runs after reading the line
   * (the server hands in the ssh package's, which parses with ssh2): why the key could not
   * log in, or null. The store itself only checks the line's shape.
   */
  publicKeyCheck?: PublicKeyCheck | undefined;
}

export interface Store {
  readonly kind: StoreKind;
  /** The query builder underneath, for repositories added later and for tests. */
  readonly knex: Knex;
  readonly users: UsersRepository;
  readonly calls: CallsRepository;
  /** Each running process's last sign of life (the calls of a dead one are ended from it). */
  readonly processes: ProcessesRepository;
  /** SSH public keys per user. */
  readonly keys: KeysRepository;
  /** Outgoing connections made with `carrier telnet`. */
  readonly clientHistory: ClientHistoryRepository;
  /** The oneliners wall. */
  readonly oneliners: OnelinersRepository;
  /** The last lines of each chat room. */
  readonly chatHistory: ChatHistoryRepository;
  /** A login's writes (count it, open its call) as one transaction. */
  readonly logins: LoginsRepository;
  /** Addresses and ranges refused at accept. */
  readonly bans: BansRepository;
  /** Public messages in areas, last-read pointers, search. */
  readonly messages: MessagesRepository;
  /** Private mail between users. */
  readonly mail: MailRepository;
  /** Time spent in doors per user and day (daily limits). */
  readonly doorUsage: DoorUsageRepository;
  /** File areas' index, quarantined uploads, last new-files scan per user. */
  readonly files: FilesRepository;
  /** Connection pool use right now; null when the driver exposes none. */
  pool(): PoolStats | null;
  /** Closes every connection; safe to call more than once. */
  close(): Promise<void>;
}

/** Any string does: its hash exists only to be verified against (see UsersDeps.timingHash). */
const TIMING_PASSWORD = 'carrier timing equalizer';

/** knex prints its warnings with console; send them through the structured log instead. */
function knexLog(log: Logger): Knex.Config['log'] {
  return {
    warn: (message: unknown) => log.warn('store.knex', { message: String(message) }),
    error: (message: unknown) => log.error('store.knex', { message: String(message) }),
    deprecate: (method: unknown, alternative: unknown) =>
      log.warn('store.knex_deprecated', { method: String(method), alternative: String(alternative) }),
    debug: () => undefined,
  };
}

/**
 * Open the board's database and bring its schema up to date. Bad settings throw
 * CONFIG_INVALID; a database that cannot be reached or migrated throws
 * STORE_UNAVAILABLE with the driver's error as `cause`.
 */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const { log } = opts;
  const plan = planDatabase(opts);
  const passwordParams = opts.passwordParams ?? DEFAULT_SCRYPT_PARAMS;
  // Made now rather than at the first unknown handle, so that first attempt is not
  // slower than the rest; this also rejects bad passwordParams before any connection.
  const timingHash = await hashPassword(TIMING_PASSWORD, passwordParams);
  const withLog = (config: Knex.Config): Knex => knexFactory({ ...config, log: knexLog(log) });

  const unavailable = (err: unknown): CarrierError =>
    err instanceof CarrierError
      ? err
      : new CarrierError(
          ErrorCodes.STORE_UNAVAILABLE,
          `cannot open the ${plan.kind} store: ${err instanceof Error ? err.message : String(err)}`,
          { ...plan.where },
          { cause: err },
        );

  if (plan.kind === 'sqlite') {
    try {
      await mkdir(opts.dataDir, { recursive: true });
    } catch (err) {
      throw unavailable(err);
    }
  }

  const knex = withLog(plan.config);
  try {
    const ran =
      plan.kind === 'postgres'
        ? await migrateToLatest({ kind: 'postgres', knex, connect: withLog, config: plan.config, searchPath: opts.searchPath })
        : await migrateToLatest({ kind: 'sqlite', knex, connect: withLog, lockFile: `${plan.file}.migrate-lock` });
    log.info('store.open', { kind: plan.kind, ...plan.where, migrationsApplied: ran });
  } catch (err) {
    await knex.destroy().catch(() => undefined);
    throw unavailable(err);
  }

  const clock = opts.clock ?? Date.now;
  let closing: Promise<void> | undefined;
  return {
    kind: plan.kind,
    knex,
    // Guarded: a database that went away fails these with STORE_UNAVAILABLE, not a driver error.
    users: guardRepository(createUsersRepository({ knex, log, clock, passwordParams, timingHash }), plan.kind),
    calls: guardRepository(createCallsRepository({ knex, clock, processId: opts.processId }), plan.kind),
    processes: guardRepository(createProcessesRepository({ knex }), plan.kind),
    keys: guardRepository(createKeysRepository({ knex, clock, check: opts.publicKeyCheck }), plan.kind),
    clientHistory: guardRepository(createClientHistoryRepository({ knex, clock }), plan.kind),
    bans: guardRepository(createBansRepository({ knex, clock }), plan.kind),
    logins: guardRepository(createLoginsRepository({ knex, clock, processId: opts.processId }), plan.kind),
    messages: guardRepository(createMessagesRepository({ knex, clock, kind: plan.kind }), plan.kind),
    mail: guardRepository(createMailRepository({ knex, clock }), plan.kind),
    doorUsage: guardRepository(createDoorUsageRepository({ knex, clock }), plan.kind),
    files: guardRepository(createFilesRepository({ knex, clock }), plan.kind),
    pool: () => poolStats(knex),
    oneliners: guardRepository(createOnelinersRepository({ knex, clock, limits: opts.oneliners }), plan.kind),
    chatHistory: guardRepository(createChatHistoryRepository({ knex }), plan.kind),
    close() {
      closing ??= knex.destroy().then(() => log.info('store.closed', { kind: plan.kind }));
      return closing;
    },
  };
}
