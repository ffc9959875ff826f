/**
 * The two drivers report constraint failures differently: pg with SQLSTATE codes,
 * node-sqlite3 with one SQLITE_CONSTRAINT code and the kind in the message. The
 * repositories ask these questions instead of parsing either.
 */
interface DriverError {
  code?: unknown;
  message?: unknown;
}

function describe(err: unknown): { code: string; message: string } {
  if (typeof err !== 'object' || err === null) return { code: '', message: '' };
  const e = err as DriverError;
  return { code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' };
}

/** SQLSTATE 23505 unique_violation (PostgreSQL), "UNIQUE constraint failed" (SQLite). */
export function isUniqueViolation(err: unknown): boolean {
  const { code, message } = describe(err);
  return code === '23505' || (code === 'SQLITE_CONSTRAINT' && message.includes('UNIQUE constraint failed'));
}

/** SQLSTATE 23503 foreign_key_violation (PostgreSQL), "FOREIGN KEY constraint failed" (SQLite). */
export function isForeignKeyViolation(err: unknown): boolean {
  const { code, message } = describe(err);
  return code === '23503' || (code === 'SQLITE_CONSTRAINT' && message.includes('FOREIGN KEY constraint failed'));
}

/**
 * Fit a string into a length-limited text column the same way on both databases:
 * PostgreSQL refuses an over-long value and any NUL, SQLite would keep either. Lengths
 * are in code points, as varchar(n) counts them, and a surrogate pair is never split.
 */
export function fitColumn(value: string, maxLength: number): string {
  // Cut the UTF-16 string first so a megabyte of input costs nothing to spread.
  const head = value.length > maxLength * 2 ? value.slice(0, maxLength * 2) : value;
  return [...head.replace(/\u0000/g, '')].slice(0, maxLength).join('');
}
