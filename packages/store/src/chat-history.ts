import type { Knex } from 'knex';
import { fitColumn } from './db-errors.js';

/** A chat line as the room's history keeps it, for replay to the next caller who joins. */
export interface ChatHistoryLine {
  /** the line's id on the bus, so a replay and the live copy of one line are told apart */
  readonly id: string;
  readonly room: string;
  readonly handle: string;
  readonly node: number;
  /** 'say' for a plain line, 'me' for an action (`/me waves`) */
  readonly kind: 'say' | 'me';
  readonly text: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

export interface ChatHistoryRepository {
  /**
   * Store one line. The room keeps at least its newest `keep` lines; older ones are
   * deleted every few inserts, so the table stays small without a delete per line.
   */
  add(line: ChatHistoryLine, keep: number): Promise<void>;
  /** The newest `limit` lines of a room, oldest first (the order a replay prints them). */
  recent(room: string, limit: number): Promise<ChatHistoryLine[]>;
}

/** Column lengths of migration 0005_social. */
export const CHAT_HISTORY_COLUMNS = { id: 32, room: 32, handle: 32, kind: 8, text: 1000 } as const;
/** Trim a room after this many inserts from this process: at most keep + 25 rows per writer. */
const TRIM_EVERY = 25;
/** Rooms counted at once; users can invent rooms, so the counters are forgotten beyond this. */
const MAX_COUNTED_ROOMS = 1000;
/** No room replays more than this, whatever the config says. */
export const MAX_CHAT_HISTORY = 500;

interface ChatRow {
  seq: number;
  line_id: string;
  room: string;
  handle: string;
  node: number | string;
  kind: string;
  text: string;
  at: number | string;
}

const toLine = (r: ChatRow): ChatHistoryLine => ({
  id: r.line_id,
  room: r.room,
  handle: r.handle,
  node: Number(r.node),
  kind: r.kind === 'me' ? 'me' : 'say',
  text: r.text,
  at: Number(r.at),
});

const clampCount = (n: number): number => (Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), MAX_CHAT_HISTORY) : 0);

export function createChatHistoryRepository(deps: { knex: Knex }): ChatHistoryRepository {
  const { knex } = deps;
  const table = (): Knex.QueryBuilder => knex('chat_lines');
  const insertsSinceTrim = new Map<string, number>();

  async function trim(room: string, keep: number): Promise<void> {
    const cutoff = (await table().where({ room }).orderBy('seq', 'desc').offset(Math.max(keep - 1, 0)).first('seq')) as
      | { seq: number | string }
      | undefined;
    if (cutoff) await table().where({ room }).andWhere('seq', '<', Number(cutoff.seq)).delete();
  }

  return {
    async add(line, keep) {
      const C = CHAT_HISTORY_COLUMNS;
      const room = fitColumn(line.room, C.room);
      await table().insert({
        line_id: fitColumn(line.id, C.id),
        room,
        handle: fitColumn(line.handle, C.handle),
        node: Number.isSafeInteger(line.node) && line.node >= 0 && line.node < 2 ** 31 ? line.node : 0,
        kind: line.kind === 'me' ? 'me' : 'say',
        text: fitColumn(line.text, C.text),
        at: Math.trunc(line.at),
      });
      const n = (insertsSinceTrim.get(room) ?? 0) + 1;
      if (n < TRIM_EVERY) {
        if (insertsSinceTrim.size >= MAX_COUNTED_ROOMS && !insertsSinceTrim.has(room)) insertsSinceTrim.clear();
        insertsSinceTrim.set(room, n);
        return;
      }
      insertsSinceTrim.delete(room);
      await trim(room, Math.max(clampCount(keep), 1));
    },

    async recent(room, limit) {
      const n = clampCount(limit);
      if (n === 0) return [];
      const rows = (await table()
        .where({ room: fitColumn(room, CHAT_HISTORY_COLUMNS.room) })
        .orderBy('seq', 'desc')
        .limit(n)
        .select('*')) as ChatRow[];
      return rows.reverse().map(toLine);
    },
  };
}
