import type { Knex } from 'knex';

/** How busy the connection pool is, for /metrics and `carrier status`. */
export interface PoolStats {
  /** connections lent out right now */
  used: number;
  /** open and idle */
  free: number;
  /** queries waiting for a connection: above zero for long means the pool is too small */
  pending: number;
  max: number;
}

/** The methods of knex's pool (tarn) read here; anything else answers null. */
interface TarnLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

function isTarnLike(p: unknown): p is TarnLike {
  const t = p as Partial<TarnLike> | undefined;
  return !!t && typeof t.numUsed === 'function' && typeof t.numFree === 'function' && typeof t.numPendingAcquires === 'function';
}

export function poolStats(knex: Knex): PoolStats | null {
  const pool: unknown = knex.client.pool;
  if (!isTarnLike(pool)) return null;
  return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires(), max: Number(pool.max) };
}
