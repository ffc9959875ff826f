import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Knex } from 'knex';

const require = createRequire(import.meta.url);

/**
 * A file of knex's, loaded from where it really is. Resolved through the workspace's
 * symlink (packages/store/node_modules/knex), a file can come back under the link's path
 * (seen under tsx's loader in some starts), and knex's own `require('lodash/…')` then
 * looks in the link's node_modules folders, where pnpm put no lodash.
 */
function requireReal(id: string): unknown {
  return require(realpathSync(require.resolve(id)));
}

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
