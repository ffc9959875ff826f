import { CarrierError, ErrorCodes } from '@carrier/core';
import type { StoreKind } from './database.js';

/**
 * "The database is not there" looks different from every layer under knex: a socket
 * error from Node, a message from node-postgres, an SQLSTATE from the server, a pool
 * timeout from knex, a result code from SQLite. Callers should see one answer,
 * STORE_UNAVAILABLE, so a login can say "try again later" instead of "something broke".
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/**
 * SQLSTATE class 08 (connection exception) plus the server going down (57P01-57P03) or
 * full (53300). https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
/** SQLite: the file cannot be opened or written, or another process held the lock past busy_timeout. */
const SQLITE_UNAVAILABLE = new Set(['SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_BUSY']);
/**
 * node-postgres reports a dropped or timed-out connection only in its message (which
 * knex prefixes with the query, hence no anchors).
 */
const PG_MESSAGES = [/Connection terminated (unexpectedly|due to connection timeout)/, /timeout expired/i, /connection error and is not queryable/, /Client was closed and is not queryable/];

export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (SOCKET_CODES.has(code) || SQLITE_UNAVAILABLE.has(code) || PG_UNAVAILABLE.test(code)) return true;
  // knex: "Timeout acquiring a connection. The pool is probably full."
  if (e.name === 'KnexTimeoutError') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (PG_MESSAGES.some((re) => re.test(message))) return true;
  // Node's happy-eyeballs connect reports every address it tried in one AggregateError.
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(isUnavailable);
}

/**
 * Every method of a repository, with "the database is not there" turned into
 * STORE_UNAVAILABLE (the driver's error kept as `cause`); every other error passes as is.
 */
export function guardRepository<T extends object>(repo: T, kind: StoreKind): T {
  const guarded = {} as Record<string, unknown>;
  for (const [name, value] of Object.entries(repo)) {
    guarded[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(repo, args);
            } catch (err) {
              if (err instanceof CarrierError || !isUnavailable(err)) throw err;
              throw new CarrierError(
                ErrorCodes.STORE_UNAVAILABLE,
                `the ${kind} database is unavailable: ${err instanceof Error ? err.message : String(err)}`,
                { operation: name },
                { cause: err },
              );
            }
          }
        : value;
  }
  return guarded as T;
}
