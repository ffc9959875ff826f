import type { Knex } from 'knex';
import { CarrierError, ErrorCodes, formatCidr, parseCidr } from '@carrier/core';
import { fitColumn } from './db-errors.js';

/**
 * Addresses and ranges refused at accept. A row per target (an address or a CIDR range,
 * stored in one canonical spelling), so banning a source twice updates its ban instead
 * of stacking rows; an expiry of null means until a sysop lifts it.
 */
export type BanSource = 'trap' | 'penalty' | 'sysop';
export const BAN_SOURCES: readonly BanSource[] = ['trap', 'penalty', 'sysop'];

export interface Ban {
  readonly id: number;
  /** `192.0.2.7`, `203.0.113.0/24`, `2001:db8:1:2::/64` */
  readonly target: string;
  readonly reason: string;
  readonly source: BanSource;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** null: no expiry */
  readonly expiresAt: number | null;
}

export interface NewBan {
  /** an address or CIDR range in any spelling; stored canonically */
  target: string;
  reason: string;
  source: BanSource;
  expiresAt: number | null;
}

export interface BansRepository {
  /**
   * Ban `target`, replacing any ban it already has (a sysop shortening a trap ban does
   * that on purpose). VALIDATION for a target that is not an address or range.
   */
  put(ban: NewBan): Promise<Ban>;
  /** The ban on exactly this target (canonical spelling compared), expired or not. */
  find(target: string): Promise<Ban | undefined>;
  /** Bans in force at `now` (no expiry, or expiring later), oldest first, at most `limit`. */
  active(now: number, limit?: number): Promise<Ban[]>;
  /** Lift the ban on exactly this target; false when it had none. */
  remove(target: string): Promise<boolean>;
  /** Delete rows that expired before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
  /**
   * Changes whenever a ban is added, changed or removed: a process polling for sysop
   * bans made elsewhere reads this, and reloads only when it moved.
   */
  version(): Promise<string>;
}

export interface BansDeps {
  knex: Knex;
  clock: () => number;
}

/**
 * More bans than any board should hold at once; a loader never reads more, so a table
 * filled by a runaway script cannot exhaust a process's memory.
 */
export const MAX_ACTIVE_BANS = 100_000;

/** The column lengths from migration 0004. An IPv6 range is at most 43 characters. */
const COLUMN = { target: 64, reason: 200 } as const;

interface BanRow {
  id: number | string;
  target: string;
  reason: string;
  source: string;
  created_at: number | string;
  updated_at: number | string;
  expires_at: number | string | null;
}

function toBan(row: BanRow): Ban {
  return {
    id: Number(row.id),
    target: row.target,
    reason: row.reason,
    source: (BAN_SOURCES as readonly string[]).includes(row.source) ? (row.source as BanSource) : 'sysop',
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** The one spelling a target is stored and compared in, or VALIDATION. */
export function canonicalBanTarget(target: string): string {
  const c = parseCidr(target);
  if (!c) {
    throw new CarrierError(ErrorCodes.VALIDATION, `"${fitColumn(target, 64)}" is not an IP address or CIDR range`, { field: 'target' });
  }
  return formatCidr(c);
}

export function createBansRepository(deps: BansDeps): BansRepository {
  const { knex, clock } = deps;
  const bans = (): Knex.QueryBuilder => knex('bans');
  const byTarget = async (target: string): Promise<Ban | undefined> => {
    const row = (await bans().where({ target }).first()) as BanRow | undefined;
    return row ? toBan(row) : undefined;
  };

  return {
    async put(input) {
      const target = canonicalBanTarget(input.target);
      if (!BAN_SOURCES.includes(input.source)) {
        throw new CarrierError(ErrorCodes.VALIDATION, `a ban source is one of ${BAN_SOURCES.join(', ')}`, { field: 'source' });
      }
      if (input.expiresAt !== null && !Number.isSafeInteger(input.expiresAt)) {
        throw new CarrierError(ErrorCodes.VALIDATION, 'a ban expiry is a time in milliseconds, or null', { field: 'expiresAt' });
      }
      const now = clock();
      const fields = {
        reason: fitColumn(input.reason, COLUMN.reason),
        source: input.source,
        updated_at: now,
        expires_at: input.expiresAt,
      };
      // Insert-or-update in one statement on both databases, so two processes banning the
      // same source at once both succeed and one row remains.
      await bans()
        .insert({ target, created_at: now, ...fields })
        .onConflict('target')
        .merge(fields);
      const ban = await byTarget(target);
      if (!ban) throw new CarrierError(ErrorCodes.STORE_UNAVAILABLE, `ban on ${target} was written but cannot be read back`);
      return ban;
    },

    async find(target) {
      const c = parseCidr(target);
      return c ? byTarget(formatCidr(c)) : undefined;
    },

    async active(now, limit = MAX_ACTIVE_BANS) {
      const n = Math.min(Math.max(Math.trunc(limit), 0), MAX_ACTIVE_BANS);
      if (n === 0) return [];
      const rows = (await bans()
        .where((q) => void q.whereNull('expires_at').orWhere('expires_at', '>', now))
        .orderBy('id', 'asc')
        .limit(n)
        .select('*')) as BanRow[];
      return rows.map(toBan);
    },

    async remove(target) {
      const c = parseCidr(target);
      if (!c) return false;
      return (await bans().where({ target: formatCidr(c) }).delete()) > 0;
    },

    async purgeExpired(now) {
      return bans().whereNotNull('expires_at').andWhere('expires_at', '<=', now).delete();
    },

    async version() {
      const row = (await bans().first(knex.raw('count(*) as n'), knex.raw('max(updated_at) as u'), knex.raw('max(id) as i'))) as
        | { n: number | string; u: number | string | null; i: number | string | null }
        | undefined;
      return `${Number(row?.n ?? 0)}:${Number(row?.u ?? 0)}:${Number(row?.i ?? 0)}`;
    },
  };
}
