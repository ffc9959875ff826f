import type { Knex } from 'knex';
import { fitColumn } from './db-errors.js';

/** A carrier process's last sign of life, kept in the database (see server/process-calls.ts). */
export interface ProcessBeat {
  readonly id: string;
  /** Milliseconds since the epoch, by the beating process's clock. */
  readonly seenAt: number;
}

export interface ProcessesRepository {
  /** The process `id` is alive at `at`: its row is inserted or moved forward. */
  beat(id: string, at: number): Promise<void>;
  /** Every process that beat and was not removed, oldest sign of life first. */
  list(): Promise<ProcessBeat[]>;
  /** A process stopped cleanly, or its calls were ended after it died. */
  remove(id: string): Promise<void>;
}

/** The column length from migration 0070 (calls.process_id's too). */
const ID_LENGTH = 128;

interface ProcessRow {
  id: string;
  seen_at: number | string;
}

export function createProcessesRepository(deps: { knex: Knex }): ProcessesRepository {
  const { knex } = deps;
  const table = () => knex<ProcessRow>('processes');
  return {
    async beat(id, at) {
      await table()
        .insert({ id: fitColumn(id, ID_LENGTH), seen_at: at })
        .onConflict('id')
        .merge(['seen_at']);
    },
    async list() {
      const rows = (await table().select('id', 'seen_at').orderBy([{ column: 'seen_at' }, { column: 'id' }])) as ProcessRow[];
      return rows.map((r) => ({ id: r.id, seenAt: Number(r.seen_at) }));
    },
    async remove(id) {
      await table().where({ id: fitColumn(id, ID_LENGTH) }).delete();
    },
  };
}
