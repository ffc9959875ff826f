import type { Knex } from 'knex';
import { CarrierError, ErrorCodes } from '@carrier/core';
import { fitColumn } from './db-errors.js';
import { handleKey } from './handles.js';
import { MESSAGE_LIMITS, validatePost } from './messages.js';

/** Private mail between two users. Each side deletes its own copy; the row goes when both have. */
export interface MailSummary {
  readonly id: number;
  readonly fromUserId: number | null;
  readonly fromHandle: string;
  readonly toUserId: number;
  readonly toHandle: string;
  readonly subject: string;
  readonly createdAt: number;
  /** null while unread */
  readonly readAt: number | null;
}

export interface Mail extends MailSummary {
  readonly body: string;
}

export interface NewMail {
  fromUserId: number | null;
  fromHandle: string;
  /** The recipient's handle (any case). */
  to: string;
  subject: string;
  body: string;
  rate?: { max: number; windowMs: number } | undefined;
}

export interface MailRepository {
  /** One transaction. Throws NOT_FOUND (no such recipient), VALIDATION, LIMIT_EXCEEDED. */
  send(input: NewMail): Promise<Mail>;
  /** The user's inbox, newest first. */
  inbox(userId: number, limit: number): Promise<MailSummary[]>;
  /** Mail the user sent, newest first. */
  sent(userId: number, limit: number): Promise<MailSummary[]>;
  unreadCount(userId: number): Promise<number>;
  /** One mail, if `userId` sent or received it (and has not deleted it). */
  open(userId: number, id: number): Promise<Mail | null>;
  /** Marks it read if `userId` is the recipient. */
  markRead(userId: number, id: number): Promise<void>;
  /** Deletes `userId`'s copy; false when they have none. */
  remove(userId: number, id: number): Promise<boolean>;
}

export const MAX_MAILBOX = 200;

interface MailRow {
  id: number;
  from_user_id: number | null;
  from_handle: string;
  to_user_id: number;
  to_handle: string;
  subject: string;
  body?: string;
  created_at: number | string;
  read_at: number | string | null;
}

const COLUMNS = ['id', 'from_user_id', 'from_handle', 'to_user_id', 'to_handle', 'subject', 'created_at', 'read_at'];

const toSummary = (r: MailRow): MailSummary => ({
  id: Number(r.id),
  fromUserId: r.from_user_id === null ? null : Number(r.from_user_id),
  fromHandle: r.from_handle,
  toUserId: Number(r.to_user_id),
  toHandle: r.to_handle,
  subject: r.subject,
  createdAt: Number(r.created_at),
  readAt: r.read_at === null ? null : Number(r.read_at),
});

const clamp = (n: number): number => (Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 0), MAX_MAILBOX) : 0);

export function createMailRepository(deps: { knex: Knex; clock: () => number }): MailRepository {
  const { knex, clock } = deps;
  return {
    send(input) {
      const { subject, body } = validatePost(input.subject, input.body);
      const key = handleKey(input.to.trim());
      return knex.transaction(async (trx) => {
        const to = (await trx('users').where({ handle_key: fitColumn(key, 32) }).first('id', 'handle')) as { id: number; handle: string } | undefined;
        if (!to) throw new CarrierError(ErrorCodes.NOT_FOUND, 'There is no user by that name.', { field: 'to' });
        const now = clock();
        if (input.rate && input.fromUserId !== null) {
          const row = (await trx('mail')
            .where('from_user_id', input.fromUserId)
            .andWhere('created_at', '>', now - input.rate.windowMs)
            .count({ n: '*' })
            .first()) as { n: number | string } | undefined;
          if (Number(row?.n ?? 0) >= input.rate.max) {
            throw new CarrierError(ErrorCodes.LIMIT_EXCEEDED, 'You are sending mail too fast; wait a minute and try again.', { userId: input.fromUserId });
          }
        }
        const row = {
          from_user_id: input.fromUserId,
          from_handle: fitColumn(input.fromHandle, MESSAGE_LIMITS.handleLength),
          to_user_id: Number(to.id),
          to_handle: to.handle,
          subject,
          body,
          created_at: now,
          read_at: null,
        };
        const inserted = (await trx('mail').insert(row).returning('id')) as Array<{ id: number | string } | number>;
        const first = inserted[0];
        return { ...toSummary({ id: Number(typeof first === 'object' ? first.id : first), ...row }), body };
      });
    },

    async inbox(userId, limit) {
      const n = clamp(limit);
      if (n === 0) return [];
      const rows = (await knex('mail').where({ to_user_id: userId, recipient_deleted: false }).orderBy('id', 'desc').limit(n).select(COLUMNS)) as MailRow[];
      return rows.map(toSummary);
    },

    async sent(userId, limit) {
      const n = clamp(limit);
      if (n === 0) return [];
      const rows = (await knex('mail').where({ from_user_id: userId, sender_deleted: false }).orderBy('id', 'desc').limit(n).select(COLUMNS)) as MailRow[];
      return rows.map(toSummary);
    },

    async unreadCount(userId) {
      const row = (await knex('mail').where({ to_user_id: userId, recipient_deleted: false }).whereNull('read_at').count({ n: '*' }).first()) as
        | { n: number | string }
        | undefined;
      return Number(row?.n ?? 0);
    },

    async open(userId, id) {
      if (!Number.isSafeInteger(id)) return null;
      const row = (await knex('mail')
        .where({ id })
        .andWhere((q) => {
          void q.where({ to_user_id: userId, recipient_deleted: false }).orWhere({ from_user_id: userId, sender_deleted: false });
        })
        .first([...COLUMNS, 'body'])) as MailRow | undefined;
      return row ? { ...toSummary(row), body: row.body ?? '' } : null;
    },

    async markRead(userId, id) {
      if (!Number.isSafeInteger(id)) return;
      await knex('mail').where({ id, to_user_id: userId }).whereNull('read_at').update({ read_at: clock() });
    },

    async remove(userId, id) {
      if (!Number.isSafeInteger(id)) return false;
      return knex.transaction(async (trx) => {
        const asRecipient = Number(await trx('mail').where({ id, to_user_id: userId, recipient_deleted: false }).update({ recipient_deleted: true }));
        const asSender = Number(await trx('mail').where({ id, from_user_id: userId, sender_deleted: false }).update({ sender_deleted: true }));
        await trx('mail').where({ id, recipient_deleted: true, sender_deleted: true }).delete();
        // A mail whose sender's account is gone has no sender copy to wait for.
        await trx('mail').where({ id, recipient_deleted: true }).whereNull('from_user_id').delete();
        return asRecipient + asSender > 0;
      });
    },
  };
}
