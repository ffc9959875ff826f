import type { Knex } from 'knex';
import { CarrierError, ErrorCodes } from '@carrier/core';
import { fitColumn, isForeignKeyViolation } from './db-errors.js';

/** One visit to the board, from connect to hang-up: the "last callers" list reads these. */
export interface Call {
  readonly id: number;
  readonly userId: number | null;
  readonly handle: string;
  readonly protocol: string;
  readonly remoteAddress: string;
  readonly node: number;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly endReason: string | null;
  /** Where the caller said they call from at sign-up (null for guests and when not given). */
  readonly location: string | null;
  /** The carrier process that served the call (null for calls from before migration 0060). */
  readonly processId: string | null;
}

export interface CallStart {
  userId?: number | null;
  handle: string;
  protocol: string;
  remoteAddress: string;
  node: number;
  /** the serving process; default: the repository's own (StoreOptions.processId) */
  processId?: string | undefined;
}

export interface CallsRepository {
  /** Returns the call's id. Throws NOT_FOUND for a userId with no user, VALIDATION for a bad node. */
  start(input: CallStart): Promise<number>;
  /** The first end wins: a call closed by both an idle timer and a hang-up keeps the first reason. */
  end(id: number, reason: string): Promise<void>;
  /**
   * Ended calls, the latest logon first (a BBS's last callers lists logons: the time shown
   * and the order are both the start); `limit` is clamped to 0..MAX_RECENT_CALLS.
   */
  recent(limit: number): Promise<Call[]>;
  /**
   * A process died: end the calls it left open, at the time it was last seen alive (or
   * at a call's start, if that is later). Returns how many calls it ended.
   */
  endProcess(processId: string, lastSeenAt: number, reason: string): Promise<number>;
  /** The processes with calls still open ('' for calls from before migration 0060). */
  openProcesses(): Promise<string[]>;
}

export interface CallsDeps {
  knex: Knex;
  clock: () => number;
  /** stamped on every call this repository starts */
  processId?: string | undefined;
}

/** A report page, not the whole table: the list is read on every login screen. */
export const MAX_RECENT_CALLS = 1000;

/** The column lengths from migration 0001; values are fitted, never refused. */
const COLUMN = { handle: 32, protocol: 16, remoteAddress: 64, endReason: 200, processId: 128 } as const;

interface CallRow {
  id: number;
  user_id: number | null;
  handle: string;
  protocol: string;
  remote_address: string;
  node: number;
  started_at: number | string;
  ended_at: number | string | null;
  end_reason: string | null;
  location?: string | null;
  process_id?: string | null;
}

function toCall(row: CallRow): Call {
  return {
    id: Number(row.id),
    userId: row.user_id === null ? null : Number(row.user_id),
    handle: row.handle,
    protocol: row.protocol,
    remoteAddress: row.remote_address,
    node: Number(row.node),
    startedAt: Number(row.started_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    endReason: row.end_reason,
    location: row.location ?? null,
    processId: row.process_id ?? null,
  };
}

/** Node numbers are small positive integers; the bound keeps them inside a pg integer. */
const MAX_NODE = 2 ** 31 - 1;

export function createCallsRepository(deps: CallsDeps): CallsRepository {
  const { knex, clock } = deps;
  const calls = (): Knex.QueryBuilder => knex('calls');

  return {
    async start(input) {
      if (!Number.isInteger(input.node) || input.node < 0 || input.node > MAX_NODE) {
        throw new CarrierError(ErrorCodes.VALIDATION, 'A node number is a non-negative integer.', { field: 'node' });
      }
      const userId = input.userId ?? null;
      if (userId !== null && !Number.isSafeInteger(userId)) {
        throw new CarrierError(ErrorCodes.NOT_FOUND, `no user with id ${userId}`, { userId });
      }
      const row = {
        user_id: userId,
        handle: fitColumn(input.handle, COLUMN.handle),
        protocol: fitColumn(input.protocol, COLUMN.protocol),
        remote_address: fitColumn(input.remoteAddress, COLUMN.remoteAddress),
        node: input.node,
        started_at: clock(),
        ended_at: null,
        end_reason: null,
        process_id: fitColumn(input.processId ?? deps.processId ?? '', COLUMN.processId) || null,
      };
      try {
        const inserted = (await calls().insert(row).returning('id')) as Array<{ id: number | string }>;
        return Number(inserted[0]?.id);
      } catch (err) {
        if (isForeignKeyViolation(err)) {
          throw new CarrierError(ErrorCodes.NOT_FOUND, `no user with id ${userId}`, { userId });
        }
        throw err;
      }
    },

    async end(id, reason) {
      if (!Number.isSafeInteger(id)) throw new CarrierError(ErrorCodes.NOT_FOUND, `no call with id ${id}`, { id });
      const changed = await calls()
        .where({ id })
        .whereNull('ended_at')
        .update({ ended_at: clock(), end_reason: fitColumn(reason, COLUMN.endReason) });
      if (changed === 1) return;
      const exists = await calls().where({ id }).first('id');
      if (!exists) throw new CarrierError(ErrorCodes.NOT_FOUND, `no call with id ${id}`, { id });
    },

    async recent(limit) {
      const n = Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 0), MAX_RECENT_CALLS) : 0;
      if (n === 0) return [];
      const rows = (await calls()
        .leftJoin('users', 'users.id', 'calls.user_id')
        .whereNotNull('calls.ended_at')
        // By logon, as the list shows it (calls_started_at_idx, migration 0080).
        .orderBy([
          { column: 'calls.started_at', order: 'desc' },
          { column: 'calls.id', order: 'desc' },
        ])
        .limit(n)
        .select('calls.*', 'users.location')) as CallRow[];
      return rows.map(toCall);
    },

    async endProcess(processId, lastSeenAt, reason) {
      const seen = Number.isSafeInteger(lastSeenAt) ? lastSeenAt : 0;
      const open = calls().whereNull('ended_at');
      if (processId === '') open.whereNull('process_id');
      else open.where({ process_id: processId });
      return open.update({
        ended_at: knex.raw('CASE WHEN started_at > ? THEN started_at ELSE ? END', [seen, seen]),
        end_reason: fitColumn(reason, COLUMN.endReason),
      });
    },

    async openProcesses() {
      const rows = (await calls().whereNull('ended_at').distinct('process_id')) as Array<{ process_id: string | null }>;
      return rows.map((r) => r.process_id ?? '');
    },
  };
}
