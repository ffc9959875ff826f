import { realRequire } from '@carrier/core';
import type { Knex } from 'knex';

// knex's dialect files, from their real path (core's realRequire says why).
const requireReal = realRequire(import.meta.url);

interface SqliteTransaction {
  query(conn: unknown, sql: string): Promise<unknown>;
}
type TransactionClass = new (...args: unknown[]) => SqliteTransaction;
type ClientClass = new (...args: unknown[]) => object;

/**
 * knex's sqlite3 client whose transactions begin IMMEDIATE. knex begins them DEFERRED
 * (`BEGIN;`): the first read pins a snapshot, and when another process (the board, a
 * sysop's CLI verb, a second board process) commits a write meanwhile, SQLite refuses to
 * upgrade that stale snapshot to a write with SQLITE_BUSY at once, without waiting in the
 * busy handler (https://www.sqlite.org/isolation.html). Every transaction of the store
 * writes, so each takes the write lock when it begins and waits its turn for it
 * (busy_timeout). Savepoints (nested transactions) are unchanged. Loaded only for a SQLite
 * store, as knex loads its dialects.
 */
export function immediateSqliteClient(): typeof Knex.Client {
  const Client = requireReal('knex/lib/dialects/sqlite3/index.js') as ClientClass;
  const Transaction = requireReal('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as TransactionClass;
  class ImmediateTransaction extends Transaction {
    begin(conn: unknown): Promise<unknown> {
      return this.query(conn, 'BEGIN IMMEDIATE;');
    }
  }
  class ImmediateSqliteClient extends Client {
    transaction(...args: unknown[]): SqliteTransaction {
      return new ImmediateTransaction(this, ...args);
    }
  }
  return ImmediateSqliteClient as unknown as typeof Knex.Client;
}
