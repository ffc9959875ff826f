import type { Knex } from 'knex';
import { CarrierError, ErrorCodes } from '@carrier/core';
import { fitColumn } from './db-errors.js';
import { handleKey } from './handles.js';
import type { StoreKind } from './database.js';

/**
 * Public messages in areas. Areas themselves are declared by the sysop (config/
 * messages.yaml) and checked by the engine; here an area is only its tag. Bodies are
 * stored as typed, control characters included (they are text a caller typed), and
 * cleaned wherever a message is shown: see core's user-text.
 */
/** What a message to a deleted account's To: ends with (deletedRecipient). */
export const DELETED_RECIPIENT_MARK = ' (deleted)';

/**
 * What a message to a deleted account shows as its To:: the handle as the account spelled
 * it, marked, so it reads as nobody's now (a later account of that handle is not its
 * recipient: to_user_id is cleared) while a thread still says who it was for.
 */
export function deletedRecipient(handle: string): string {
  // to_handle holds 32 characters; handles hold 20 (HANDLE_RULES), so the cut is a guard.
  return `${handle.slice(0, 32 - DELETED_RECIPIENT_MARK.length)}${DELETED_RECIPIENT_MARK}`;
}

export interface MessageSummary {
  readonly id: number;
  readonly area: string;
  readonly parentId: number | null;
  readonly threadId: number;
  readonly fromUserId: number | null;
  readonly fromHandle: string;
  readonly toHandle: string;
  /**
   * The account the message is to: the one of that handle when it was posted (null: to
   * All, a name that is no account, or an account since deleted). A later account with
   * the same handle is another caller, and the message is not to it.
   */
  readonly toUserId: number | null;
  readonly subject: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

export interface Message extends MessageSummary {
  readonly body: string;
}

export interface NewMessage {
  area: string;
  fromUserId?: number | null;
  fromHandle: string;
  /** Default `All`. A handle of an account addresses that account (and is spelled as it spells it). */
  toHandle?: string;
  subject: string;
  body: string;
  /** The message this one replies to; its thread is inherited. */
  parentId?: number | null;
  /** Posts a user may make within `windowMs`; over it the post is refused with LIMIT_EXCEEDED. */
  rate?: { max: number; windowMs: number } | undefined;
}

export interface MessageScan {
  area: string;
  /** messages above the caller's pointer, counted up to SCAN_COUNT_CAP */
  count: number;
  /** the oldest of them */
  firstId: number | null;
}

export interface MessagesRepository {
  /** One transaction: rate check, thread lookup and insert. Throws VALIDATION, NOT_FOUND (parent), LIMIT_EXCEEDED. */
  post(input: NewMessage): Promise<Message>;
  get(id: number): Promise<Message | null>;
  /** Up to `limit` summaries in `area` with id above `afterId` (oldest first), or below `beforeId` (newest first). */
  list(area: string, opts: { afterId?: number; beforeId?: number; limit: number }): Promise<MessageSummary[]>;
  count(area: string): Promise<number>;
  /** The messages of a thread, oldest first (at most MAX_THREAD). */
  thread(threadId: number): Promise<MessageSummary[]>;
  /** The caller's pointer in `area` (0: nothing read). */
  lastRead(userId: number, area: string): Promise<number>;
  /** Moves the pointer up to `id` (never down). */
  markRead(userId: number, area: string, id: number): Promise<void>;
  /** Every message in these areas counts as read. */
  markAllRead(userId: number, areas: readonly string[]): Promise<void>;
  /** Per area, in the order given: how many are new for this user and the first of them. */
  scan(userId: number, areas: readonly string[]): Promise<MessageScan[]>;
  /** New messages (above the caller's pointer in their area) addressed to this account, in these areas; counted up to SCAN_COUNT_CAP. */
  countToUser(userId: number, areas: readonly string[]): Promise<number>;
  /** Full-text search (subject, author, body) in these areas, newest first. Words are ANDed and prefix-matched. */
  search(query: string, areas: readonly string[], limit: number): Promise<MessageSummary[]>;
  /** Sysop: delete one; false when there was none. */
  remove(id: number): Promise<boolean>;
  /** Sysop: move one to another area; false when there was none. */
  move(id: number, area: string): Promise<boolean>;
  /** The user's setting: run a new-scan at login. */
  newScanAtLogin(userId: number): Promise<boolean>;
  setNewScanAtLogin(userId: number, on: boolean): Promise<void>;
}

/** Limits shared by posts and mail. */
export const MESSAGE_LIMITS = {
  /** 64 KiB of UTF-8. */
  bodyBytes: 64 * 1024,
  /** Lines in a body; a wall of empty lines is as bad as a long one. */
  bodyLines: 2000,
  subjectLength: 72,
  handleLength: 32,
  areaLength: 32,
} as const;
export const MAX_LIST = 200;
export const MAX_THREAD = 500;
export const MAX_SEARCH = 100;
/** New messages counted per area in a new-scan; more show as this many. */
export const SCAN_COUNT_CAP = 1000;
/** Words of a search query used; the rest are ignored. */
export const MAX_SEARCH_WORDS = 8;

export interface MessageRow {
  id: number;
  area: string;
  parent_id: number | null;
  thread_id: number | null;
  from_user_id: number | null;
  from_handle: string;
  to_handle: string;
  to_user_id: number | null;
  subject: string;
  body?: string;
  created_at: number | string;
}

const SUMMARY_COLUMNS = ['id', 'area', 'parent_id', 'thread_id', 'from_user_id', 'from_handle', 'to_handle', 'to_user_id', 'subject', 'created_at'];

const toSummary = (r: MessageRow): MessageSummary => ({
  id: Number(r.id),
  area: r.area,
  parentId: r.parent_id === null ? null : Number(r.parent_id),
  threadId: Number(r.thread_id ?? r.id),
  fromUserId: r.from_user_id === null ? null : Number(r.from_user_id),
  fromHandle: r.from_handle,
  toHandle: r.to_handle,
  toUserId: r.to_user_id === null || r.to_user_id === undefined ? null : Number(r.to_user_id),
  subject: r.subject,
  createdAt: Number(r.created_at),
});
const toMessage = (r: MessageRow): Message => ({ ...toSummary(r), body: r.body ?? '' });

/** A subject typed by a caller: one line, trimmed, cut to the cap. Controls stay (cleaned on display). */
export function fitSubject(subject: string): string {
  return fitColumn(subject.replace(/[\r\n]+/g, ' ').trim(), MESSAGE_LIMITS.subjectLength).trim();
}

/** `Re: ` once: `Re: Re: x` and `RE: x` become `Re: x`. */
export function replySubject(subject: string): string {
  const bare = subject.replace(/^(\s*re\s*(\[\d+\])?\s*:\s*)+/i, '');
  return fitSubject(`Re: ${bare}`);
}

/** A body within the caps: NULs dropped, CRLF as LF, at most bodyLines lines and bodyBytes bytes. */
export function fitBody(body: string): string {
  let text = body.replace(/\u0000/g, '').replace(/\r\n?/g, '\n');
  if (text.length > MESSAGE_LIMITS.bodyBytes) text = text.slice(0, MESSAGE_LIMITS.bodyBytes);
  const lines = text.split('\n');
  if (lines.length > MESSAGE_LIMITS.bodyLines) text = lines.slice(0, MESSAGE_LIMITS.bodyLines).join('\n');
  while (Buffer.byteLength(text, 'utf8') > MESSAGE_LIMITS.bodyBytes) {
    const over = Buffer.byteLength(text, 'utf8') - MESSAGE_LIMITS.bodyBytes;
    text = [...text].slice(0, -Math.max(1, Math.ceil(over / 4))).join('');
  }
  return text.replace(/\s+$/, '');
}

export function validatePost(subject: string, body: string): { subject: string; body: string } {
  const s = fitSubject(subject);
  const b = fitBody(body);
  if (s === '') throw new CarrierError(ErrorCodes.VALIDATION, 'A message needs a subject.', { field: 'subject' });
  if (b.trim() === '') throw new CarrierError(ErrorCodes.VALIDATION, 'A message needs some text.', { field: 'body' });
  return { subject: s, body: b };
}

/** Search words: letters and digits only, so nothing reaches either query language but words. */
export function searchWords(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((w) => w.slice(0, 40)))].slice(0, MAX_SEARCH_WORDS);
}

const clampLimit = (n: number, max: number): number => (Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), max) : 0);

export function createMessagesRepository(deps: { knex: Knex; clock: () => number; kind: StoreKind }): MessagesRepository {
  const { knex, clock, kind } = deps;
  const area = (a: string): string => fitColumn(a.toLowerCase(), MESSAGE_LIMITS.areaLength);
  const larger = kind === 'postgres' ? 'greatest' : 'max';
  const markRead = async (userId: number, a: string, id: number): Promise<void> => {
    if (!Number.isSafeInteger(id) || id <= 0) return;
    await knex('message_reads')
      .insert({ user_id: userId, area: area(a), last_read_id: id })
      .onConflict(['user_id', 'area'])
      .merge({ last_read_id: knex.raw(`${larger}(message_reads.last_read_id, excluded.last_read_id)`) });
  };

  return {
    post(input) {
      const { subject, body } = validatePost(input.subject, input.body);
      const fromHandle = fitColumn(input.fromHandle, MESSAGE_LIMITS.handleLength);
      const typedTo = fitColumn((input.toHandle ?? '').trim() || 'All', MESSAGE_LIMITS.handleLength);
      return knex.transaction(async (trx) => {
        const now = clock();
        // The account of that handle now (in the transaction: a delete cannot slip between).
        const to = (await trx('users').where({ handle_key: handleKey(typedTo) }).first('id', 'handle')) as { id: number; handle: string } | undefined;
        const toHandle = to ? to.handle : typedTo;
        const rate = input.rate;
        if (rate && input.fromUserId != null) {
          const row = (await trx('messages')
            .where('from_user_id', input.fromUserId)
            .andWhere('created_at', '>', now - rate.windowMs)
            .count({ n: '*' })
            .first()) as { n: number | string } | undefined;
          if (Number(row?.n ?? 0) >= rate.max) {
            throw new CarrierError(ErrorCodes.LIMIT_EXCEEDED, 'You are posting too fast; wait a minute and try again.', { userId: input.fromUserId });
          }
        }
        let threadId: number | null = null;
        const parentId = input.parentId ?? null;
        if (parentId !== null) {
          const parent = (await trx('messages').where({ id: parentId }).first('id', 'thread_id')) as { id: number; thread_id: number | null } | undefined;
          if (!parent) throw new CarrierError(ErrorCodes.NOT_FOUND, 'The message you replied to is gone.', { id: parentId });
          threadId = Number(parent.thread_id ?? parent.id);
        }
        const row = {
          area: area(input.area),
          parent_id: parentId,
          thread_id: threadId,
          from_user_id: input.fromUserId ?? null,
          from_handle: fromHandle,
          to_handle: toHandle,
          to_user_id: to ? Number(to.id) : null,
          subject,
          body,
          created_at: now,
        };
        const inserted = (await trx('messages').insert(row).returning('id')) as Array<{ id: number | string } | number>;
        const first = inserted[0];
        const id = Number(typeof first === 'object' ? first.id : first);
        if (threadId === null) {
          threadId = id;
          await trx('messages').where({ id }).update({ thread_id: id });
        }
        return toMessage({ id, ...row, thread_id: threadId });
      });
    },

    async get(id) {
      if (!Number.isSafeInteger(id)) return null;
      const row = (await knex('messages').where({ id }).first([...SUMMARY_COLUMNS, 'body'])) as MessageRow | undefined;
      return row ? toMessage(row) : null;
    },

    async list(a, opts) {
      const n = clampLimit(opts.limit, MAX_LIST);
      if (n === 0) return [];
      const q = knex('messages').where('area', area(a)).select(SUMMARY_COLUMNS).limit(n);
      if (opts.beforeId !== undefined) q.andWhere('id', '<', opts.beforeId).orderBy('id', 'desc');
      else q.andWhere('id', '>', opts.afterId ?? 0).orderBy('id', 'asc');
      return ((await q) as MessageRow[]).map(toSummary);
    },

    async count(a) {
      const row = (await knex('messages').where('area', area(a)).count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },

    async thread(threadId) {
      if (!Number.isSafeInteger(threadId)) return [];
      const rows = (await knex('messages').where('thread_id', threadId).orderBy('id').limit(MAX_THREAD).select(SUMMARY_COLUMNS)) as MessageRow[];
      return rows.map(toSummary);
    },

    async lastRead(userId, a) {
      const row = (await knex('message_reads').where({ user_id: userId, area: area(a) }).first('last_read_id')) as { last_read_id: number } | undefined;
      return Number(row?.last_read_id ?? 0);
    },

    markRead,

    async markAllRead(userId, areas) {
      for (const a of areas) {
        const row = (await knex('messages').where('area', area(a)).max({ m: 'id' }).first()) as { m: number | string | null } | undefined;
        const top = Number(row?.m ?? 0);
        if (top > 0) await markRead(userId, a, top);
      }
    },

    async scan(userId, areas) {
      if (areas.length === 0) return [];
      const keys = areas.map(area);
      const pointers = (await knex('message_reads').where('user_id', userId).whereIn('area', keys).select('area', 'last_read_id')) as Array<{
        area: string;
        last_read_id: number;
      }>;
      const at = new Map(pointers.map((p) => [p.area, Number(p.last_read_id)]));
      // One indexed range per area, counted only up to SCAN_COUNT_CAP: a caller who has
      // been away a year costs the same as one who was here yesterday. All areas in one
      // statement (UNION ALL): one round trip and one pooled connection, not one per area.
      const parts = keys.map((a) => {
        const fresh = knex('messages').where('area', a).andWhere('id', '>', at.get(a) ?? 0).orderBy('id').limit(SCAN_COUNT_CAP).select('id', 'area');
        // The area comes back from the rows themselves (no new message: a null row).
        return knex.from(fresh.as('fresh')).max({ area: 'area' }).count({ n: '*' }).min({ first: 'id' });
      });
      const [head, ...rest] = parts;
      const query = rest.length > 0 ? head!.unionAll(rest) : head!;
      const rows = (await query) as Array<{ area: string | null; n: number | string; first: number | string | null }>;
      const byArea = new Map(rows.map((r) => [r.area, r]));
      return keys.map((a) => {
        const row = byArea.get(a);
        return { area: a, count: Number(row?.n ?? 0), firstId: row?.first == null ? null : Number(row.first) };
      });
    },

    async countToUser(userId, areas) {
      if (areas.length === 0 || !Number.isSafeInteger(userId)) return 0;
      // The account's own index range, newest first, each row above its area's pointer; at most
      // SCAN_COUNT_CAP rows are looked at past the pointers, whatever has piled up.
      const fresh = knex('messages as m')
        .leftJoin('message_reads as r', (j) => {
          j.on('r.area', '=', 'm.area').andOn('r.user_id', '=', knex.raw('?', [userId]));
        })
        .where('m.to_user_id', userId)
        .whereIn('m.area', areas.map(area))
        .andWhere('m.id', '>', knex.raw('coalesce(r.last_read_id, 0)'))
        .orderBy('m.id', 'desc')
        .limit(SCAN_COUNT_CAP)
        .select('m.id');
      const row = (await knex.from(fresh.as('fresh')).count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },

    async search(query, areas, limit) {
      const words = searchWords(query);
      const n = clampLimit(limit, MAX_SEARCH);
      if (words.length === 0 || areas.length === 0 || n === 0) return [];
      const keys = areas.map(area);
      let rows: MessageRow[];
      if (kind === 'postgres') {
        const tsquery = words.map((w) => `${w}:*`).join(' & ');
        rows = (await knex('messages')
          .whereRaw(`search @@ to_tsquery('simple', ?)`, [tsquery])
          .whereIn('area', keys)
          .orderBy('id', 'desc')
          .limit(n)
          .select(SUMMARY_COLUMNS)) as MessageRow[];
      } else {
        const match = words.map((w) => `"${w}"*`).join(' AND ');
        // FTS5 drives the loop in rowid order (newest first), so the first `n` matches in
        // the areas end it without sorting every match.
        rows = (await knex('messages_fts as f')
          .join('messages as m', 'm.id', 'f.rowid')
          .whereRaw('messages_fts match ?', [match])
          .whereIn('m.area', keys)
          .orderBy('f.rowid', 'desc')
          .limit(n)
          .select(SUMMARY_COLUMNS.map((c) => `m.${c}`))) as MessageRow[];
      }
      return rows.map(toSummary);
    },

    async remove(id) {
      if (!Number.isSafeInteger(id)) return false;
      return Number(await knex('messages').where({ id }).delete()) > 0;
    },

    async move(id, a) {
      if (!Number.isSafeInteger(id)) return false;
      return Number(await knex('messages').where({ id }).update({ area: area(a) })) > 0;
    },

    async newScanAtLogin(userId) {
      const row = (await knex('users').where({ id: userId }).first('new_scan_at_login')) as { new_scan_at_login: boolean | number } | undefined;
      return Boolean(row?.new_scan_at_login);
    },

    async setNewScanAtLogin(userId, on) {
      const changed = await knex('users').where({ id: userId }).update({ new_scan_at_login: on });
      if (changed !== 1) throw new CarrierError(ErrorCodes.NOT_FOUND, `no user with id ${userId}`, { id: userId });
    },
  };
}
