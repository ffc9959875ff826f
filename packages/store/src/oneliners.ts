import type { Knex } from 'knex';
import { CarrierError, cleanUserText, ErrorCodes } from '@carrier/core';
import { fitColumn } from './db-errors.js';

/** One line on the oneliners wall. */
export interface Oneliner {
  readonly id: number;
  readonly userId: number | null;
  readonly handle: string;
  readonly text: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

export interface NewOneliner {
  userId?: number | null;
  handle: string;
  text: string;
}

export interface OnelinersRepository {
  /**
   * Cleans the text (escape sequences and controls removed, cut to ONELINER_MAX_LENGTH)
   * and stores it. Throws VALIDATION when nothing printable is left.
   */
  add(input: NewOneliner): Promise<Oneliner>;
  /**
   * The newest oneliners, newest first; `limit` is clamped to 0..MAX_RECENT_ONELINERS.
   * With `beforeId`, the page of older lines below that id (the sysop paging back).
   */
  recent(limit: number, opts?: { beforeId?: number }): Promise<Oneliner[]>;
  /** Delete one (a sysop action); false when there was no such oneliner. */
  remove(id: number): Promise<boolean>;
}

/** One line beside a handle on an 80-column wall, the way BBS walls have always looked. */
export const ONELINER_MAX_LENGTH = 60;
/** The wall shows 20; a sysop's deletion list may look further back, not at the whole table. */
export const MAX_RECENT_ONELINERS = 200;

/** Lines the wall shows; a caller's share of the wall is counted among these. */
export const ONELINER_WALL = 20;

export interface OnelinerLimits {
  /** rows kept in the table; older ones are trimmed as new lines arrive (config oneliners.keep) */
  keep: number;
  /** lines one handle may have among the ONELINER_WALL newest (config oneliners.perCaller) */
  perCaller: number;
}

export const DEFAULT_ONELINER_LIMITS: Readonly<OnelinerLimits> = Object.freeze({ keep: 1000, perCaller: 3 });

/** Column lengths of migration 0005_social. */
const COLUMN = { handle: 32, text: 200 } as const;

interface OnelinerRow {
  id: number;
  user_id: number | null;
  handle: string;
  text: string;
  created_at: number | string;
}

const toOneliner = (r: OnelinerRow): Oneliner => ({
  id: Number(r.id),
  userId: r.user_id === null ? null : Number(r.user_id),
  handle: r.handle,
  text: r.text,
  createdAt: Number(r.created_at),
});

/**
 * Characters that draw nothing: zero-width and format characters, and the blank letters
 * (Hangul filler U+3164, Braille blank U+2800) that render as a space. A line of only
 * these would be an invisible entry on everyone's wall.
 */
const INVISIBLE = /[\s\p{Cf}\u115f\u1160\u2800\u3164\uffa0]/gu;

export function createOnelinersRepository(deps: { knex: Knex; clock: () => number; limits?: Partial<OnelinerLimits> | undefined }): OnelinersRepository {
  const { knex, clock } = deps;
  const limits: OnelinerLimits = { ...DEFAULT_ONELINER_LIMITS, ...deps.limits };
  const table = (): Knex.QueryBuilder => knex('oneliners');
  return {
    async add(input) {
      const text = cleanUserText(input.text, ONELINER_MAX_LENGTH);
      if (text.replace(INVISIBLE, '') === '') throw new CarrierError(ErrorCodes.VALIDATION, 'A oneliner needs some text.', { field: 'text' });
      const handle = fitColumn(cleanUserText(input.handle, COLUMN.handle), COLUMN.handle);
      const wall = (await table().orderBy('id', 'desc').limit(ONELINER_WALL).select('handle')) as Array<{ handle: string }>;
      const mine = wall.filter((r) => r.handle.toLowerCase() === handle.toLowerCase()).length;
      if (mine >= limits.perCaller) {
        throw new CarrierError(ErrorCodes.LIMIT_EXCEEDED, `You already have ${mine} of the last ${ONELINER_WALL} lines on the wall.`, { field: 'text' });
      }
      const row = {
        user_id: input.userId ?? null,
        handle,
        text: fitColumn(text, COLUMN.text),
        created_at: clock(),
      };
      const inserted = (await table().insert(row).returning('id')) as Array<{ id: number | string }>;
      const id = Number(inserted[0]?.id);
      // Keep the newest `keep` rows: everything below the keep-th newest id goes.
      const floor = (await table().orderBy('id', 'desc').offset(limits.keep - 1).limit(1).select('id')) as Array<{ id: number | string }>;
      if (floor[0] !== undefined) await table().where('id', '<', Number(floor[0].id)).delete();
      return toOneliner({ id, ...row });
    },

    async recent(limit, opts = {}) {
      const n = Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 0), MAX_RECENT_ONELINERS) : 0;
      if (n === 0) return [];
      const q = table().orderBy('id', 'desc').limit(n);
      if (opts.beforeId !== undefined && Number.isSafeInteger(opts.beforeId)) q.where('id', '<', opts.beforeId);
      const rows = (await q.select('*')) as OnelinerRow[];
      return rows.map(toOneliner);
    },

    async remove(id) {
      if (!Number.isSafeInteger(id)) return false;
      return Number(await table().where({ id }).delete()) > 0;
    },
  };
}
