import type { Knex } from 'knex';
import { CarrierError, ErrorCodes, type Logger } from '@carrier/core';
import { handleKey, handleSkeleton, HANDLE_RULES, PASSWORD_RULES, validateHandle, validateLocation, validatePassword } from './handles.js';
import { isUniqueViolation } from './db-errors.js';
import { LEVELS, isValidLevel, MAX_LEVEL, MIN_LEVEL } from './levels.js';
import { hashPassword, needsRehash, verifyPassword, type ScryptParams } from './passwords.js';
import { escapeLike } from './like.js';

/** A caller's account as the rest of carrier sees it: the password hash stays in here. */
export interface User {
  readonly id: number;
  readonly handle: string;
  readonly level: number;
  readonly location: string | null;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly lastLoginAt: number | null;
  readonly callCount: number;
}

/** How the main menu and its submenus take a choice: a hotkey, or a lightbar (arrows and Enter). */
export type MenuStyle = 'hotkeys' | 'lightbar';
export const MENU_STYLES: readonly MenuStyle[] = ['hotkeys', 'lightbar'];
/** The terminal encodings a caller may choose for themselves. */
export const USER_ENCODINGS = ['utf8', 'cp437'] as const;

/** What a caller chose on the user-settings screen (`U`), kept for their next calls. */
export interface UserSettings {
  /** Output and input encoding applied at every login; null means as the terminal negotiated. */
  readonly encoding: (typeof USER_ENCODINGS)[number] | null;
  readonly menuStyle: MenuStyle;
}

export interface NewUser {
  handle: string;
  password: string;
  /** Defaults to LEVELS.newUser. */
  level?: number;
  location?: string | null;
  /** A reserved handle allowed for this account: the board's own sysop name (`board.sysop`). */
  allowReserved?: string;
}

export interface UsersRepository {
  /** Throws VALIDATION (with `details.field`) or DUPLICATE (handle taken, in any case). */
  create(input: NewUser): Promise<User>;
  /** Case-insensitive. */
  findByHandle(handle: string): Promise<User | null>;
  /**
   * The account whose handle reads as `handle` does (the same look-alike skeleton, so
   * `aIice` finds alice, and `alice` itself): what `create` would refuse it for.
   */
  findLookalike(handle: string): Promise<User | null>;
  /** Up to `limit` accounts whose handle starts with `prefix` (case-insensitive), by handle. */
  findByHandlePrefix(prefix: string, limit: number): Promise<User[]>;
  findById(id: number): Promise<User | null>;
  /** The user when handle and password match, else null; never says which part was wrong. */
  authenticate(handle: string, password: string): Promise<User | null>;
  /** Stamps last_login_at and counts the call. Throws NOT_FOUND. */
  recordLogin(id: number): Promise<void>;
  /** Every user, by handle. */
  list(): Promise<User[]>;
  count(): Promise<number>;
  /** Throws NOT_FOUND or VALIDATION. */
  setPassword(id: number, password: string): Promise<void>;
  /** Throws NOT_FOUND or VALIDATION. */
  setLevel(id: number, level: number): Promise<void>;
  /** Where the user calls from (the sign-up rules; '' or null clears it). Throws NOT_FOUND or VALIDATION. */
  setLocation(id: number, location: string | null): Promise<void>;
  /** The caller's own settings. Throws NOT_FOUND. */
  settings(id: number): Promise<UserSettings>;
  /** Change some of them. Throws NOT_FOUND or VALIDATION (`details.field`). */
  updateSettings(id: number, change: Partial<UserSettings>): Promise<void>;
}

export interface UsersDeps {
  knex: Knex;
  log: Logger;
  clock: () => number;
  passwordParams: ScryptParams;
  /**
   * A hash made with `passwordParams`, verified against when the handle is unknown, so
   * an unknown handle costs the same scrypt work as a wrong password and response time
   * does not reveal which handles exist.
   */
  timingHash: string;
}

interface UserRow {
  id: number;
  handle: string;
  level: number;
  location: string | null;
  created_at: number | string;
  last_login_at: number | string | null;
  call_count: number | string;
}

const USER_COLUMNS = ['id', 'handle', 'level', 'location', 'created_at', 'last_login_at', 'call_count'] as const;

/** pg returns int8 (bigint) and count() as strings; SQLite returns numbers. */
function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    handle: row.handle,
    level: Number(row.level),
    location: row.location,
    createdAt: Number(row.created_at),
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
    callCount: Number(row.call_count),
  };
}

/**
 * Longest string worth a query: a handle key can never be longer, so anything beyond
 * this is answered "no such user" without touching the database.
 */
const HANDLE_LOOKUP_MAX = HANDLE_RULES.maxLength;
/** In UTF-16 units: any valid password (at most maxLength code points) fits. */
const PASSWORD_INPUT_MAX = PASSWORD_RULES.maxLength * 2;

function invalid(field: string, reason: string): CarrierError {
  return new CarrierError(ErrorCodes.VALIDATION, reason, { field });
}

function notFound(id: number): CarrierError {
  return new CarrierError(ErrorCodes.NOT_FOUND, `no user with id ${id}`, { id });
}

export function createUsersRepository(deps: UsersDeps): UsersRepository {
  const { knex, log, clock, passwordParams, timingHash } = deps;
  const users = (): Knex.QueryBuilder => knex('users');

  function checkLevel(level: number): void {
    if (!isValidLevel(level)) throw invalid('level', `A level is a whole number from ${MIN_LEVEL} to ${MAX_LEVEL}.`);
  }

  async function findById(id: number): Promise<User | null> {
    if (!Number.isSafeInteger(id)) return null;
    const row = (await users().where({ id }).first(USER_COLUMNS)) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async function rehash(id: number, oldHash: string, password: string): Promise<void> {
    const fresh = await hashPassword(password, passwordParams);
    // Only if the hash is still the one we verified: a password change that landed
    // meanwhile must not be overwritten with the old password.
    const changed = await users().where({ id, password_hash: oldHash }).update({ password_hash: fresh });
    if (changed === 1) log.info('store.password_rehashed', { userId: id });
  }

  return {
    async create(input) {
      const h = validateHandle(input.handle, input.allowReserved !== undefined ? { allowReserved: input.allowReserved } : {});
      if (!h.ok) throw invalid('handle', h.reason);
      const skeleton = handleSkeleton(h.handle);
      const twin = (await users().where({ handle_skeleton: skeleton }).first('handle')) as { handle: string } | undefined;
      if (twin && handleKey(twin.handle) !== handleKey(h.handle)) {
        throw new CarrierError(ErrorCodes.DUPLICATE, 'That handle looks too much like one already taken.', { field: 'handle' });
      }
      const pw = validatePassword(input.password, h.handle);
      if (!pw.ok) throw invalid('password', pw.reason);
      const level = input.level ?? LEVELS.newUser;
      checkLevel(level);
      let location: string | null = null;
      if (input.location !== undefined && input.location !== null) {
        const loc = validateLocation(input.location);
        if (!loc.ok) throw invalid('location', loc.reason);
        location = loc.value === '' ? null : loc.value;
      }
      const passwordHash = await hashPassword(input.password, passwordParams);
      const createdAt = clock();
      const row = {
        handle: h.handle,
        handle_key: handleKey(h.handle),
        handle_skeleton: skeleton,
        password_hash: passwordHash,
        level,
        location,
        created_at: createdAt,
        last_login_at: null,
        call_count: 0,
      };
      let inserted: Array<{ id: number | string }>;
      try {
        inserted = (await users().insert(row).returning('id')) as Array<{ id: number | string }>;
      } catch (err) {
        // The unique index decides, not a look-up first: two sign-ups racing for one
        // handle both pass a look-up, only one passes the index.
        if (isUniqueViolation(err)) {
          throw new CarrierError(ErrorCodes.DUPLICATE, 'That handle is taken.', { field: 'handle' });
        }
        throw err;
      }
      const id = Number(inserted[0]?.id);
      return { id, handle: h.handle, level, location, createdAt, lastLoginAt: null, callCount: 0 };
    },

    async findByHandle(handle) {
      const key = handleKey(handle);
      if (key.length > HANDLE_LOOKUP_MAX) return null;
      const row = (await users().where({ handle_key: key }).first(USER_COLUMNS)) as UserRow | undefined;
      return row ? toUser(row) : null;
    },

    async findLookalike(handle) {
      if (handle.length > HANDLE_LOOKUP_MAX) return null;
      const row = (await users().where({ handle_skeleton: handleSkeleton(handle) }).first(USER_COLUMNS)) as UserRow | undefined;
      return row ? toUser(row) : null;
    },

    async findByHandlePrefix(prefix, limit) {
      const key = handleKey(prefix);
      if (key === '' || key.length > HANDLE_LOOKUP_MAX) return [];
      const rows = (await users()
        .whereRaw("handle_key like ? escape '\\'", [`${escapeLike(key)}%`])
        .orderBy('handle_key')
        .limit(Math.max(1, Math.min(limit, 50)))
        .select(USER_COLUMNS)) as UserRow[];
      return rows.map(toUser);
    },

    findById,

    async authenticate(handle, password) {
      const key = handleKey(handle);
      const plausible = key.length <= HANDLE_LOOKUP_MAX && password.length <= PASSWORD_INPUT_MAX;
      const row = plausible
        ? ((await users().where({ handle_key: key }).first([...USER_COLUMNS, 'password_hash'])) as
            | (UserRow & { password_hash: string })
            | undefined)
        : undefined;
      if (!row) {
        await verifyPassword(password.slice(0, PASSWORD_INPUT_MAX), timingHash);
        return null;
      }
      if (!(await verifyPassword(password, row.password_hash))) return null;
      if (needsRehash(row.password_hash, passwordParams)) await rehash(Number(row.id), row.password_hash, password);
      return toUser(row);
    },

    async recordLogin(id) {
      const changed = Number.isSafeInteger(id)
        ? await users()
            .where({ id })
            .update({ last_login_at: clock(), call_count: knex.raw('call_count + 1') })
        : 0;
      if (changed !== 1) throw notFound(id);
    },

    async list() {
      const rows = (await users().select(USER_COLUMNS).orderBy('handle_key')) as UserRow[];
      return rows.map(toUser);
    },

    async count() {
      const row = (await users().count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },

    async setPassword(id, password) {
      const user = await findById(id);
      if (!user) throw notFound(id);
      const pw = validatePassword(password, user.handle);
      if (!pw.ok) throw invalid('password', pw.reason);
      const passwordHash = await hashPassword(password, passwordParams);
      const changed = await users().where({ id }).update({ password_hash: passwordHash });
      if (changed !== 1) throw notFound(id);
    },

    async setLevel(id, level) {
      checkLevel(level);
      const changed = Number.isSafeInteger(id) ? await users().where({ id }).update({ level }) : 0;
      if (changed !== 1) throw notFound(id);
    },

    async setLocation(id, location) {
      let value: string | null = null;
      if (location !== null) {
        const loc = validateLocation(location);
        if (!loc.ok) throw invalid('location', loc.reason);
        value = loc.value === '' ? null : loc.value;
      }
      const changed = Number.isSafeInteger(id) ? await users().where({ id }).update({ location: value }) : 0;
      if (changed !== 1) throw notFound(id);
    },

    async settings(id) {
      const row = Number.isSafeInteger(id)
        ? ((await users().where({ id }).first(['encoding', 'menu_style'])) as { encoding: string | null; menu_style: string } | undefined)
        : undefined;
      if (!row) throw notFound(id);
      // A value this code does not know (a later version's, a hand edit) reads as the default.
      const encoding = (USER_ENCODINGS as readonly string[]).includes(row.encoding ?? '') ? (row.encoding as UserSettings['encoding']) : null;
      const menuStyle = (MENU_STYLES as readonly string[]).includes(row.menu_style) ? (row.menu_style as MenuStyle) : 'hotkeys';
      return { encoding, menuStyle };
    },

    async updateSettings(id, change) {
      const row: Record<string, string | null> = {};
      if (change.encoding !== undefined) {
        if (change.encoding !== null && !USER_ENCODINGS.includes(change.encoding)) throw invalid('encoding', `An encoding is one of ${USER_ENCODINGS.join(', ')}.`);
        row['encoding'] = change.encoding;
      }
      if (change.menuStyle !== undefined) {
        if (!MENU_STYLES.includes(change.menuStyle)) throw invalid('menuStyle', `A menu style is one of ${MENU_STYLES.join(', ')}.`);
        row['menu_style'] = change.menuStyle;
      }
      if (Object.keys(row).length === 0) {
        if (!(await findById(id))) throw notFound(id);
        return;
      }
      const changed = Number.isSafeInteger(id) ? await users().where({ id }).update(row) : 0;
      if (changed !== 1) throw notFound(id);
    },
  };
}
