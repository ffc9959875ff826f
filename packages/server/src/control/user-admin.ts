import { randomInt } from 'node:crypto';
import { CarrierError, isCarrierError, ErrorCodes } from '@carrier/core';
import type { Store, User } from '@carrier/store';
import type { BoardFiles } from '@carrier/engine';
import type { UserDetail, UserInfo } from '@carrier/sysop/protocol';

/**
 * User management on the store: the `carrier user …` verbs and the control channel's
 * `user.*` verbs both call these, so a change means the same thing from either seat.
 */

/** What a post by a deleted account shows as its author. */
export const DELETED_USER = 'deleted user';

export class UserAdminError extends Error {
  constructor(
    readonly code: 'not_found' | 'bad_args',
    message: string,
  ) {
    super(message);
  }
}

interface AdminRow {
  locked: boolean | number | null;
  flags: string | null;
  notes: string | null;
}

/** Tables where a user's writing lives: counted in the editor, kept (as "deleted user") on delete. */
interface AuthoredTable {
  kind: string;
  table: string;
  userColumn: string;
  handleColumn: string;
  textColumn: string;
  atColumn: string;
}
const AUTHORED: AuthoredTable[] = [
  { kind: 'messages', table: 'messages', userColumn: 'from_user_id', handleColumn: 'from_handle', textColumn: 'subject', atColumn: 'created_at' },
  { kind: 'mail', table: 'mail', userColumn: 'from_user_id', handleColumn: 'from_handle', textColumn: 'subject', atColumn: 'created_at' },
  { kind: 'oneliners', table: 'oneliners', userColumn: 'user_id', handleColumn: 'handle', textColumn: 'text', atColumn: 'created_at' },
];

/** Let a later feature (files, uploads) say where its authors are. */
export function registerAuthoredTable(t: AuthoredTable): void {
  if (!AUTHORED.some((a) => a.table === t.table && a.userColumn === t.userColumn)) AUTHORED.push(t);
}

async function existing(store: Store): Promise<AuthoredTable[]> {
  const out: AuthoredTable[] = [];
  for (const t of AUTHORED) {
    if ((await store.knex.schema.hasTable(t.table)) && (await store.knex.schema.hasColumn(t.table, t.userColumn))) out.push(t);
  }
  return out;
}

async function mustFind(store: Store, handle: string): Promise<User> {
  const u = await store.users.findByHandle(handle);
  if (!u) throw new UserAdminError('not_found', `no user "${handle.slice(0, 32)}"`);
  return u;
}

async function adminRow(store: Store, id: number): Promise<AdminRow> {
  const row = (await store.knex('users').where({ id }).first(['locked', 'flags', 'notes'])) as AdminRow | undefined;
  return row ?? { locked: false, flags: '', notes: null };
}

function info(u: User, a: AdminRow): UserInfo {
  return {
    id: u.id,
    handle: u.handle,
    level: u.level,
    locked: Boolean(a.locked),
    flags: a.flags ?? '',
    notes: a.notes ?? '',
    location: u.location,
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt,
    callCount: u.callCount,
  };
}

export async function findUser(store: Store, handle: string): Promise<UserInfo> {
  const u = await mustFind(store, handle);
  return info(u, await adminRow(store, u.id));
}

/** Users whose handle contains `search` (case-insensitive), by handle. */
export async function listUsers(store: Store, search = '', limit = 100): Promise<UserInfo[]> {
  const q = store.knex('users').select(['id', 'handle', 'level', 'location', 'created_at', 'last_login_at', 'call_count', 'locked', 'flags', 'notes']);
  const key = search.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  if (key) void q.whereRaw("handle_key like ? escape '\\'", [`%${key}%`]);
  const rows = (await q.orderBy('handle_key').limit(Math.min(Math.max(limit, 1), 500))) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r['id']),
    handle: String(r['handle']),
    level: Number(r['level']),
    locked: Boolean(r['locked']),
    flags: String(r['flags'] ?? ''),
    notes: String(r['notes'] ?? ''),
    location: (r['location'] as string | null) ?? null,
    createdAt: Number(r['created_at']),
    lastLoginAt: r['last_login_at'] === null ? null : Number(r['last_login_at']),
    callCount: Number(r['call_count']),
  }));
}

/** The account with its last calls and what it wrote. */
export async function showUser(store: Store, handle: string): Promise<UserDetail> {
  const base = await findUser(store, handle);
  const calls = (await store
    .knex('calls')
    .where({ user_id: base.id })
    .orderBy('started_at', 'desc')
    .limit(10)
    .select(['node', 'protocol', 'remote_address', 'started_at', 'ended_at', 'end_reason'])) as Record<string, unknown>[];
  const posts: UserDetail['posts'] = [];
  for (const t of await existing(store)) {
    const n = (await store.knex(t.table).where(t.userColumn, base.id).count({ n: '*' }).first()) as { n: number | string } | undefined;
    const recent = (await store
      .knex(t.table)
      .where(t.userColumn, base.id)
      .orderBy(t.atColumn, 'desc')
      .limit(5)
      .select({ at: t.atColumn, text: t.textColumn })) as { at: number | string; text: string }[];
    posts.push({ kind: t.kind, count: Number(n?.n ?? 0), recent: recent.map((r) => ({ at: Number(r.at), text: String(r.text).slice(0, 200) })) });
  }
  return {
    ...base,
    calls: calls.map((c) => ({
      node: Number(c['node']),
      protocol: String(c['protocol']),
      from: String(c['remote_address']),
      startedAt: Number(c['started_at']),
      endedAt: c['ended_at'] === null ? null : Number(c['ended_at']),
      endReason: (c['end_reason'] as string | null) ?? null,
    })),
    posts,
  };
}

export async function setLevel(store: Store, handle: string, level: number): Promise<UserInfo> {
  const u = await mustFind(store, handle);
  try {
    await store.users.setLevel(u.id, level);
  } catch (err) {
    if (isCarrierError(err, ErrorCodes.VALIDATION)) throw new UserAdminError('bad_args', err.message);
    throw err;
  }
  return findUser(store, u.handle);
}

export async function setLocked(store: Store, handle: string, locked: boolean): Promise<UserInfo> {
  const u = await mustFind(store, handle);
  await store.knex('users').where({ id: u.id }).update({ locked });
  return findUser(store, u.handle);
}

/** Is this handle's account locked? false for an unknown handle (the login fails anyway). */
export async function isLocked(store: Store, handle: string): Promise<boolean> {
  const u = await store.users.findByHandle(handle);
  if (!u) return false;
  return Boolean((await adminRow(store, u.id)).locked);
}

export async function setNotes(store: Store, handle: string, notes: string): Promise<UserInfo> {
  const u = await mustFind(store, handle);
  await store.knex('users').where({ id: u.id }).update({ notes: notes === '' ? null : notes.slice(0, 2000) });
  return findUser(store, u.handle);
}

export async function setFlags(store: Store, handle: string, flags: string): Promise<UserInfo> {
  if (!/^[A-Za-z]*$/.test(flags) || flags.length > 26) throw new UserAdminError('bad_args', 'flags are letters A to Z');
  const u = await mustFind(store, handle);
  const clean = [...new Set(flags.toUpperCase())].sort().join('');
  await store.knex('users').where({ id: u.id }).update({ flags: clean });
  return findUser(store, u.handle);
}

const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Set a new password (a generated one when none is given); returns the password set. */
export async function resetPassword(store: Store, handle: string, password?: string): Promise<{ handle: string; password: string; generated: boolean }> {
  const u = await mustFind(store, handle);
  const generated = password === undefined;
  const pw = password ?? Array.from({ length: 14 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
  try {
    await store.users.setPassword(u.id, pw);
  } catch (err) {
    if (isCarrierError(err, ErrorCodes.VALIDATION)) throw new UserAdminError('bad_args', err.message);
    throw err;
  }
  return { handle: u.handle, password: pw, generated };
}

/**
 * Delete the account. What it wrote stays, signed "deleted user"; its calls stay in
 * the history without the link; its keys and read marks go with it. Its uploads still
 * waiting for the sysop go too, files and rows (nobody is left to ask about them); files
 * already approved stay in their areas, credited to no one (uploader_id SET NULL), as a
 * sysop-dropped file is: they are the board's now, and a later account of that handle is
 * not their uploader. `files` is the board's file areas (the quarantine's folder).
 */
export async function deleteUser(store: Store, handle: string, files?: Pick<BoardFiles, 'pendingFilesOf'>): Promise<{ handle: string; postsKept: number; uploadsDeleted: number }> {
  const u = await mustFind(store, handle);
  // Collected before the delete, whose cascade takes the rows; deleted only once it succeeded.
  const waiting = await files?.pendingFilesOf(u.id);
  const tables = await existing(store);
  let postsKept = 0;
  try {
    await store.knex.transaction(async (trx) => {
      for (const t of tables) {
        postsKept += Number(await trx(t.table).where(t.userColumn, u.id).update({ [t.userColumn]: null, [t.handleColumn]: DELETED_USER }));
      }
      await trx('calls').where({ user_id: u.id }).update({ user_id: null });
      const removed = await trx('users').where({ id: u.id }).del();
      if (removed !== 1) throw new UserAdminError('not_found', `no user "${u.handle}"`);
    });
  } catch (err) {
    if (err instanceof UserAdminError) throw err;
    throw new CarrierError(ErrorCodes.STORE_UNAVAILABLE, `could not delete ${u.handle}: ${(err as Error).message}`);
  }
  return { handle: u.handle, postsKept, uploadsDeleted: (await waiting?.remove()) ?? 0 };
}
