import { join } from 'node:path';
import type { Knex } from 'knex';
import { CarrierError, ErrorCodes } from '@carrier/core';
import { immediateSqliteClient } from './sqlite-client.js';

/**
 * Which database to open and how: the knex configuration for SQLite (the default, one
 * file under the data dir) or PostgreSQL (when a URL is given). Pure: it touches neither
 * the disk nor the network, so a bad setting fails here with CONFIG_INVALID.
 */
export type StoreKind = 'sqlite' | 'postgres';

export interface PoolSize {
  min: number;
  max: number;
}

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  pool?: PoolSize | undefined;
  /** PostgreSQL schema to work in (tests use one per file). */
  searchPath?: string | undefined;
}

interface PlanCommon {
  readonly config: Knex.Config;
  /** Where the data lives, safe to log: never the password. */
  readonly where: Readonly<Record<string, unknown>>;
}
export type DatabasePlan = (PlanCommon & { readonly kind: 'sqlite'; readonly file: string }) | (PlanCommon & { readonly kind: 'postgres' });

export const SQLITE_FILE_NAME = 'carrier.sqlite';

/**
 * How long a SQLite write waits for another connection's write lock (another carrier
 * process, or a sysop CLI verb) before failing with SQLITE_BUSY.
 */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Run on every new SQLite connection. WAL lets readers proceed while one writer writes;
 * synchronous=NORMAL is the documented safe pairing with WAL (a power cut can lose the
 * last commits, never corrupt the file); foreign keys are off by default in SQLite and
 * on in PostgreSQL, so turn them on for the two to behave alike.
 */
const SQLITE_PRAGMAS = [
  'PRAGMA journal_mode = WAL',
  `PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`,
  'PRAGMA synchronous = NORMAL',
  'PRAGMA foreign_keys = ON',
].join('; ');

/** Idle connections are released, so a quiet board holds none open. */
const DEFAULT_PG_POOL: PoolSize = { min: 0, max: 10 };

/** Fail startup within this long when PostgreSQL is unreachable, instead of hanging. */
const PG_CONNECT_TIMEOUT_MS = 10_000;

/** A plain identifier: it is interpolated into `SET search_path` and `CREATE SCHEMA`. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

interface SqliteConnection {
  exec(sql: string, cb: (err: Error | null) => void): void;
}

export function planDatabase(opts: DatabaseOptions): DatabasePlan {
  if (opts.databaseUrl !== undefined && opts.databaseUrl !== '') return planPostgres(opts, opts.databaseUrl);
  if (opts.searchPath !== undefined) {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, 'searchPath applies to PostgreSQL only', { key: 'searchPath' });
  }
  const filename = join(opts.dataDir, SQLITE_FILE_NAME);
  return {
    kind: 'sqlite',
    file: filename,
    where: { file: filename },
    config: {
      client: immediateSqliteClient(),
      connection: { filename },
      useNullAsDefault: true,
      // One connection: writes from this process queue in order instead of racing for
      // SQLite's single write lock (a deferred transaction that upgrades to a write can
      // fail with SQLITE_BUSY at once, busy timeout or not).
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) => {
          conn.exec(SQLITE_PRAGMAS, (err) => done(err, conn));
        },
      },
    },
  };
}

function planPostgres(opts: DatabaseOptions, databaseUrl: string): DatabasePlan {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, 'databaseUrl is not a URL', { key: 'databaseUrl' });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, 'databaseUrl must start with postgres://', {
      key: 'databaseUrl',
      scheme: url.protocol,
    });
  }
  const pool = opts.pool ?? DEFAULT_PG_POOL;
  if (!Number.isInteger(pool.min) || !Number.isInteger(pool.max) || pool.min < 0 || pool.max < 1 || pool.min > pool.max) {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, 'pool needs integers with 0 <= min <= max and max >= 1', {
      key: 'pool',
      min: pool.min,
      max: pool.max,
    });
  }
  if (opts.searchPath !== undefined && !SCHEMA_NAME.test(opts.searchPath)) {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, 'searchPath must be a plain schema name', { key: 'searchPath' });
  }
  return {
    kind: 'postgres',
    where: {
      host: url.hostname,
      port: url.port || '5432',
      database: decodeURIComponent(url.pathname.replace(/^\//, '')),
      schema: opts.searchPath ?? null,
    },
    config: {
      client: 'pg',
      connection: { connectionString: databaseUrl, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS },
      pool: { min: pool.min, max: pool.max },
      ...(opts.searchPath !== undefined ? { searchPath: [opts.searchPath] } : {}),
    },
  };
}
