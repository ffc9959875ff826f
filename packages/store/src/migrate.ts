import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { MIGRATIONS, migrationSource, type Migration } from './migrations.js';

/**
 * Bring a database to the latest schema, safely when several carrier processes start
 * at once against one database.
 *
 * knex's own lock row only covers running the batch; creating its bookkeeping tables
 * (`knex_migrations`, `knex_migrations_lock`) happens before, unguarded (two processes
 * can both insert the lock row, after which nobody can ever take it), and a process
 * that finds the lock taken fails instead of waiting. So the whole run is serialized:
 * - PostgreSQL: the whole run, schema creation included, happens under a session-level
 *   `pg_advisory_lock`, and a second process simply waits its turn, then finds nothing
 *   to do;
 * - SQLite: the same, with an exclusive lock on a side file standing in for the
 *   advisory lock.
 */
interface CommonTarget {
  /** The store's own instance: SQLite migrations run on it. */
  readonly knex: Knex;
  /** Makes the extra instance a locked run needs (a lock holder, a dedicated pool). */
  readonly connect: (config: Knex.Config) => Knex;
}
export type MigrateTarget =
  | (CommonTarget & { readonly kind: 'postgres'; readonly config: Knex.Config; readonly searchPath?: string | undefined })
  | (CommonTarget & { readonly kind: 'sqlite'; readonly lockFile: string });

/** Names of the migrations this call applied, in order (empty when already up to date). */
export async function migrateToLatest(
  target: MigrateTarget,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  return target.kind === 'postgres' ? migratePostgres(target, migrations) : migrateSqlite(target, migrations);
}

async function runLatest(knex: Knex, migrations: readonly Migration[]): Promise<string[]> {
  const [, ran] = (await knex.migrate.latest({ migrationSource: migrationSource(migrations) })) as [number, string[]];
  return ran;
}

/**
 * The advisory-lock key pair: a fixed class for "carrier migrations" and the schema's
 * hash, so test files migrating their own schemas in one database don't wait on each other.
 */
const ADVISORY_LOCK_CLASS = 0x43415252; // 'CARR'
function advisoryLockKey(searchPath: string | undefined): number {
  return createHash('sha256').update(`carrier.migrate:${searchPath ?? ''}`).digest().readInt32BE(0);
}

/**
 * Its own small pool, so the lock's connection is never the last one the caller's pool
 * had: the lock holds one, the migrator (one transaction for the batch) uses the other.
 */
const PG_MIGRATE_POOL = { min: 0, max: 2 };

async function migratePostgres(target: Extract<MigrateTarget, { kind: 'postgres' }>, migrations: readonly Migration[]): Promise<string[]> {
  const knex = target.connect({ ...target.config, pool: PG_MIGRATE_POOL });
  try {
    const conn: unknown = await knex.client.acquireConnection();
    try {
      const key = [ADVISORY_LOCK_CLASS, advisoryLockKey(target.searchPath)];
      await knex.raw('select pg_advisory_lock(?, ?)', key).connection(conn);
      try {
        if (target.searchPath !== undefined) {
          await knex.raw('create schema if not exists ??', [target.searchPath]).connection(conn);
        }
        return await runLatest(knex, migrations);
      } finally {
        await knex.raw('select pg_advisory_unlock(?, ?)', key).connection(conn);
      }
    } finally {
      await knex.client.releaseConnection(conn);
    }
  } finally {
    await knex.destroy();
  }
}

/**
 * How long a second process waits for the first one's migrations. A migration that
 * rewrites a large table can take a while; past this, startup fails with the reason.
 */
const SQLITE_LOCK_WAIT_MS = 60_000;

interface SqliteConnection {
  exec(sql: string, cb: (err: Error | null) => void): void;
}

/**
 * SQLite has no advisory locks, so a small side file plays that part: an EXCLUSIVE
 * transaction on it is held across the run, other processes wait in SQLite's busy
 * handler, and the OS drops the lock if the holder dies. (Locking the database file
 * itself would also block the migrator's own writes.) The file is left in place:
 * deleting a lock file races with the next process opening it.
 */
async function migrateSqlite(target: Extract<MigrateTarget, { kind: 'sqlite' }>, migrations: readonly Migration[]): Promise<string[]> {
  const lock = target.connect({
    client: 'sqlite3',
    connection: { filename: target.lockFile },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) => {
        conn.exec(`PRAGMA busy_timeout = ${SQLITE_LOCK_WAIT_MS}`, (err) => done(err, conn));
      },
    },
  });
  try {
    await lock.raw('BEGIN EXCLUSIVE');
    try {
      return await runLatest(target.knex, migrations);
    } finally {
      await lock.raw('COMMIT');
    }
  } finally {
    await lock.destroy();
  }
}
