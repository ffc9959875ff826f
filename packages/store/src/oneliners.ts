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
  /** The newest oneliners, newest first; `limit` is clamped to 0..MAX_RECENT_ONELINERS. */
  recent(limit: number): Promise<Oneliner[]>;
  /** Delete one (a sysop action); false when there was no such oneliner. */
  remove(id: number): Promise<boolean>;
}

/** One line beside a handle on an 80-column wall, the way BBS walls have always looked. */
export const ONELINER_MAX_LENGTH = 60;
/** The wall shows 20; a sysop's deletion list may look further back, not at the whole table. */
export const MAX_RECENT_ONELINERS = 200;

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

export function createOnelinersRepository(deps: { knex: Knex; clock: () => number }): OnelinersRepository {
  const { knex, clock } = deps;
  const table = (): Knex.QueryBuilder => knex('oneliners');
  return {
    async add(input) {
      const text = cleanUserText(input.text, ONELINER_MAX_LENGTH);
      if (text === '') throw new CarrierError(ErrorCodes.VALIDATION, 'A oneliner needs some text.', { field: 'text' });
      const row = {
        user_id: input.userId ?? null,
        handle: fitColumn(cleanUserText(input.handle, COLUMN.handle), COLUMN.handle),
        text: fitColumn(text, COLUMN.text),
        created_at: clock(),
      };
      const inserted = (await table().insert(row).returning('id')) as Array<{ id: number | string }>;
      return toOneliner({ id: Number(inserted[0]?.id), ...row });
    },

    async recent(limit) {
      const n = Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 0), MAX_RECENT_ONELINERS) : 0;
      if (n === 0) return [];
      const rows = (await table().orderBy('id', 'desc').limit(n).select('*')) as OnelinerRow[];
      return rows.map(toOneliner);
    },

    async remove(id) {
      if (!Number.isSafeInteger(id)) return false;
      return Number(await table().where({ id }).delete()) > 0;
    },
  };
}
