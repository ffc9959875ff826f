import type { Knex } from 'knex';
import { CarrierError, ErrorCodes, type ClientHistoryEntry } from '@carrier/core';
import { fitColumn } from './db-errors.js';

export type { ClientHistoryEntry };

/**
 * Outgoing calls made with `carrier telnet`: where to, when, how long, how many bytes.
 * The interactive caller writes these; `carrier telnet --history` and its `history`
 * command read them. Nothing here is about the board's own callers (that is `calls`).
 */
export interface ClientHistoryRepository {
  /** Records a connection as it opens; returns its id. Throws VALIDATION for a port outside 1..65535. */
  start(input: { host: string; port: number }): Promise<number>;
  /** Records the end and the byte counts; the first finish wins. Throws NOT_FOUND for an unknown id. */
  finish(id: number, counts: { bytesIn: number; bytesOut: number }): Promise<void>;
  /** The byte counts so far of a connection still open (an ended one is left as it is). */
  progress(id: number, counts: { bytesIn: number; bytesOut: number }): Promise<void>;
  /** The newest connections first; `limit` is clamped to 0..MAX_CLIENT_HISTORY. */
  recent(limit: number): Promise<ClientHistoryEntry[]>;
}

/** A page a person reads, not the whole table. */
export const MAX_CLIENT_HISTORY = 1000;

/** Column lengths of migration 0003_client_history. A DNS name is at most 253 characters. */
const COLUMN = { host: 255 } as const;

interface HistoryRow {
  id: number;
  host: string;
  port: number;
  started_at: number | string;
  ended_at: number | string | null;
  bytes_in: number | string;
  bytes_out: number | string;
}

const toEntry = (r: HistoryRow): ClientHistoryEntry => ({
  id: Number(r.id),
  host: r.host,
  port: Number(r.port),
  startedAt: Number(r.started_at),
  endedAt: r.ended_at === null ? null : Number(r.ended_at),
  bytesIn: Number(r.bytes_in),
  bytesOut: Number(r.bytes_out),
});

/** A byte count as the column keeps it: a non-negative safe integer (pg int8 holds all of them). */
function count(n: number): number {
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

export function createClientHistoryRepository(deps: { knex: Knex; clock: () => number }): ClientHistoryRepository {
  const { knex, clock } = deps;
  const table = (): Knex.QueryBuilder => knex('client_history');
  return {
    async start(input) {
      if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
        throw new CarrierError(ErrorCodes.VALIDATION, 'A port is an integer 1-65535.', { field: 'port' });
      }
      const row = { host: fitColumn(input.host, COLUMN.host), port: input.port, started_at: clock(), ended_at: null, bytes_in: 0, bytes_out: 0 };
      const inserted = (await table().insert(row).returning('id')) as Array<{ id: number | string }>;
      return Number(inserted[0]?.id);
    },

    async finish(id, counts) {
      if (!Number.isSafeInteger(id)) throw new CarrierError(ErrorCodes.NOT_FOUND, `no connection with id ${id}`, { id });
      const changed = await table()
        .where({ id })
        .whereNull('ended_at')
        .update({ ended_at: clock(), bytes_in: count(counts.bytesIn), bytes_out: count(counts.bytesOut) });
      if (changed === 1) return;
      const exists = await table().where({ id }).first('id');
      if (!exists) throw new CarrierError(ErrorCodes.NOT_FOUND, `no connection with id ${id}`, { id });
    },

    async progress(id, counts) {
      if (!Number.isSafeInteger(id)) return;
      await table().where({ id }).whereNull('ended_at').update({ bytes_in: count(counts.bytesIn), bytes_out: count(counts.bytesOut) });
    },

    async recent(limit) {
      const n = Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 0), MAX_CLIENT_HISTORY) : 0;
      if (n === 0) return [];
      const rows = (await table()
        .orderBy([
          { column: 'started_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(n)
        .select('*')) as HistoryRow[];
      return rows.map(toEntry);
    },
  };
}
