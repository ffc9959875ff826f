import { randomInt } from 'node:crypto';
import { CarrierError, isCarrierError, ErrorCodes } from '@carrier/core';
import { deletedRecipient, handleKey, isValidLevel, LEVELS, MAX_LEVEL, MIN_LEVEL, type Store, type User } from '@carrier/store';
import type { BoardFiles } from '@carrier/engine';
import { ownAccountRefusal, type AccountChange, type UserDetail, type UserInfo } from '@carrier/sysop/protocol';

/**
 * User management on the store: the `carrier user …` verbs and the control channel's
 * `user.*` verbs both call these, so a change means the same thing from either seat, and
 * both guards live here: the last sysop who can log in stays (every seat), and a sysop
 * does not delete, lock or demote themselves from their own session (`ChangeBy.self`).
 */

/** What a post by a deleted account shows as its author. */
export const DELETED_USER = 'deleted user';

export class UserAdminError extends Error {
  constructor(
    /** `failed`: a valid request refused (the last sysop) */
    readonly code: 'not_found' | 'bad_args' | 'failed',
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

/** A transaction on the store (a knex transaction is a knex). */
type Db = Store['knex'];


/**
 * The board must keep a sysop who can log in: a change that would take the last unlocked
 * account at or above LEVELS.sysop out of that set (delete, lock, demote) is refused.
 * Runs inside the change's transaction; on PostgreSQL the sysop rows are locked, so two
 * sysops demoting each other at once cannot both succeed (SQLite allows one writer).
 */
async function keepOneSysop(trx: Db, store: Store, id: number, change: AccountChange): Promise<void> {
  const sysops = trx('users').where('level', '>=', LEVELS.sysop).where((q) => void q.where('locked', false).orWhereNull('locked'));
  if (store.kind === 'postgres') void sysops.forUpdate();
  const ids = ((await sysops.select('id', 'handle')) as { id: number | string; handle: string }[]).map((r) => ({ id: Number(r.id), handle: r.handle }));
  const target = ids.find((r) => r.id === id);
  if (!target) return; // not a sysop who can log in now: nothing to lose
  if (change.kind === 'level' && change.level >= LEVELS.sysop) return;
  if (ids.length > 1) return;
  const what = change.kind === 'delete' ? 'delete' : change.kind === 'lock' ? 'lock' : 'lower the level of';
  throw new UserAdminError(
    'failed',
    `will not ${what} ${target.handle}: it is the last sysop account that can log in (make another sysop first: carrier user add <handle> --password-stdin --sysop)`,
  );
}

/**
 * Who makes a change. `self` is the account of a sysop acting from a session of their own
 * (the console on the board, main menu `!`); the host's CLI and `carrier sysop` act as the
 * machine's admin, who has no account on the board, so they give none.
 */
export interface ChangeBy {
  self?: string | undefined;
}

/** The self-change guard (sysop verbs.ts, `ownAccountRefusal`) when `by` is the account's own sysop. */
function refuseOnSelf(u: User, change: AccountChange, by: ChangeBy): void {
  if (by.self === undefined || handleKey(by.self) !== handleKey(u.handle)) return;
  const why = ownAccountRefusal(u.level, change);
  if (why !== undefined) throw new UserAdminError('failed', why);
}

/** Run `write` with the self and last-sysop guards, in one transaction; store errors stay store errors. */
async function guarded(store: Store, u: User, change: AccountChange, by: ChangeBy, write: (trx: Db) => Promise<void>): Promise<void> {
  refuseOnSelf(u, change, by);
  const id = u.id;
  try {
    await store.knex.transaction(async (trx) => {
      await keepOneSysop(trx, store, id, change);
      await write(trx);
    });
  } catch (err) {
    if (err instanceof UserAdminError || isCarrierError(err)) throw err;
    throw new CarrierError(ErrorCodes.STORE_UNAVAILABLE, `could not change the account: ${(err as Error).message}`);
  }
}

export async function setLevel(store: Store, handle: string, level: number, by: ChangeBy = {}): Promise<UserInfo> {
  if (!isValidLevel(level)) throw new UserAdminError('bad_args', `level must be a whole number from ${MIN_LEVEL} to ${MAX_LEVEL}`);
  const u = await mustFind(store, handle);
  await guarded(store, u, { kind: 'level', level }, by, async (trx) => {
    if (Number(await trx('users').where({ id: u.id }).update({ level })) !== 1) throw new UserAdminError('not_found', `no user "${u.handle}"`);
  });
  return findUser(store, u.handle);
}

export async function setLocked(store: Store, handle: string, locked: boolean, by: ChangeBy = {}): Promise<UserInfo> {
  const u = await mustFind(store, handle);
  if (locked) await guarded(store, u, { kind: 'lock' }, by, async (trx) => void (await trx('users').where({ id: u.id }).update({ locked })));
  else await store.knex('users').where({ id: u.id }).update({ locked });
  return findUser(store, u.handle);
}

/** Is this handle's account locked? false for an unknown handle (the login fails anyway). */
export async function isLocked(store: Store, handle: string): Promise<boolean> {
  const u = await store.users.findByHandle(handle);
  if (!u) return false;
  return Boolean((await adminRow(store, u.id)).locked);
}

/** Where the user calls from, by the sign-up rules; '' clears it (a sysop removing what a caller typed). */
export async function setLocation(store: Store, handle: string, location: string): Promise<UserInfo> {
  const u = await mustFind(store, handle);
  try {
    await store.users.setLocation(u.id, location.trim() === '' ? null : location);
  } catch (err) {
    if (isCarrierError(err, ErrorCodes.VALIDATION)) throw new UserAdminError('bad_args', err.message);
    throw err;
  }
  return findUser(store, u.handle);
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

/** The store's refusal of what was given (a handle taken, a weak password, not a public key) as the sysop's to fix. */
function refused(err: unknown): never {
  if (isCarrierError(err, ErrorCodes.VALIDATION) || isCarrierError(err, ErrorCodes.DUPLICATE)) throw new UserAdminError('bad_args', err.message);
  throw err;
}

/**
 * A new account (`carrier user add`, the control verb `user.add`): a user, or a sysop,
 * who may take the board's own sysop name (`board.sysop`), which sign-up refuses.
 */
export async function addUser(store: Store, handle: string, password: string, opts: { sysop: boolean; sysopName: string }): Promise<UserInfo> {
  const made = await store.users
    .create({ handle, password, level: opts.sysop ? LEVELS.sysop : LEVELS.user, ...(opts.sysop ? { allowReserved: opts.sysopName } : {}) })
    .catch(refused);
  return findUser(store, made.handle);
}

/** An ssh public key (one OpenSSH line) for the account: what the trail and the sysop are told of it. */
export async function addKey(store: Store, handle: string, publicKey: string): Promise<{ handle: string; id: number; algo: string; fingerprint: string }> {
  const u = await mustFind(store, handle);
  const k = await store.keys.add(u.id, publicKey).catch(refused);
  return { handle: u.handle, id: k.id, algo: k.algo, fingerprint: k.fingerprint };
}

/** Remove a key of the account, named by its fingerprint or by its number in the key list. */
export async function removeKey(store: Store, handle: string, key: string): Promise<{ handle: string; id: number; fingerprint: string }> {
  const u = await mustFind(store, handle);
  const k = (await store.keys.list(u.id)).find((x) => (/^\d+$/.test(key) ? x.id === Number(key) : x.fingerprint === key));
  if (!k || !(await store.keys.remove(u.id, k.id))) throw new UserAdminError('not_found', `${u.handle} has no key ${key.slice(0, 100)}`);
  return { handle: u.handle, id: k.id, fingerprint: k.fingerprint };
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
 * Delete the account. What it wrote stays, signed "deleted user"; messages to it stay,
 * addressed to "<handle> (deleted)"; its calls stay in the history without the link;
 * its keys and read marks go with it. Its uploads still
 * waiting for the sysop go too, files and rows (nobody is left to ask about them); files
 * already approved stay in their areas, credited to no one (uploader_id SET NULL), as a
 * sysop-dropped file is: they are the board's now, and a later account of that handle is
 * not their uploader. `files` is the board's file areas (the quarantine's folder).
 */
export async function deleteUser(
  store: Store,
  handle: string,
  files?: Pick<BoardFiles, 'pendingFilesOf'>,
  by: ChangeBy = {},
): Promise<{ handle: string; postsKept: number; uploadsDeleted: number }> {
  const u = await mustFind(store, handle);
  // Collected before the delete, whose cascade takes the rows; deleted only once it succeeded.
  const waiting = await files?.pendingFilesOf(u.id);
  const tables = await existing(store);
  const addressed = (await store.knex.schema.hasTable('messages')) && (await store.knex.schema.hasColumn('messages', 'to_user_id'));
  let postsKept = 0;
  await guarded(store, u, { kind: 'delete' }, by, async (trx) => {
    for (const t of tables) {
      postsKept += Number(await trx(t.table).where(t.userColumn, u.id).update({ [t.userColumn]: null, [t.handleColumn]: DELETED_USER }));
    }
    // Messages to the account (mail to it goes with it: CASCADE).
    if (addressed) await trx('messages').where({ to_user_id: u.id }).update({ to_user_id: null, to_handle: deletedRecipient(u.handle) });
    await trx('calls').where({ user_id: u.id }).update({ user_id: null });
    const removed = await trx('users').where({ id: u.id }).del();
    if (removed !== 1) throw new UserAdminError('not_found', `no user "${u.handle}"`);
  });
  return { handle: u.handle, postsKept, uploadsDeleted: (await waiting?.remove()) ?? 0 };
}
