/**
 * Every verb the control channel accepts, with its argument schema: the whole whitelist
 * is this one table. A request names a verb from it and gives arguments that pass its
 * schema, or it gets an error; nothing a client sends is ever evaluated.
 *
 * Requests:  { "id": 7, "verb": "kick", "args": { "node": 2 } }
 * Replies:   { "id": 7, "ok": true, "result": … } or { "id": 7, "ok": false, "error": { "code", "message" } }
 * Streams:   { "stream": 7, "event": "data", … } (spy, log) until { "stream": 7, "event": "end", "reason" }
 */

export type FieldSpec =
  | { type: 'int'; min: number; max: number; optional?: boolean }
  | { type: 'string'; maxLength: number; minLength?: number; optional?: boolean; pattern?: RegExp }
  | { type: 'bool'; optional?: boolean }
  | { type: 'enum'; values: readonly string[]; optional?: boolean };

export type Schema = Readonly<Record<string, FieldSpec>>;

const node = { type: 'int', min: 1, max: 1_000_000 } as const;
const handle = { type: 'string', minLength: 1, maxLength: 32 } as const;
const text = { type: 'string', minLength: 1, maxLength: 500 } as const;
/**
 * The handle of the sysop making a user change from their own session (the console on
 * the board): the change is refused on that account. The host's CLI gives none.
 */
const by = { ...handle, optional: true } as const;
const duration = { type: 'string', maxLength: 20, pattern: /^\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)?\s*$/, optional: true } as const;

export const VERBS = {
  /** TCP only: the first frame, with the token from `<dataDir>/control.token` */
  auth: { token: { type: 'string', minLength: 1, maxLength: 200 } },
  /** keeps a quiet client (a spy window) from the idle timeout */
  ping: {},
  who: {},
  stats: {},
  /** `handle`: only if that caller is on the node (its number may have gone to someone else since the sysop looked) */
  kick: { node, reason: { type: 'string', maxLength: 200, optional: true }, handle: { ...handle, optional: true } },
  message: { node, text, handle: { ...handle, optional: true } },
  broadcast: { text },
  bans: {},
  ban: {
    target: { type: 'string', minLength: 1, maxLength: 64 },
    for: duration,
    reason: { type: 'string', maxLength: 200, optional: true },
  },
  unban: { target: { type: 'string', minLength: 1, maxLength: 64 } },
  /** a read-only copy of a caller's output: a stream of `data` events */
  spy: { node },
  unspy: { node },
  /** break-in chat: `open` tells the caller, `say` shows a line on their screen, `close` ends it */
  chat: { node, action: { type: 'enum', values: ['open', 'say', 'close'] }, text: { ...text, optional: true } },
  /** the log tail: recent lines, then a stream of new ones (warnings and up, or one node) */
  log: { node: { ...node, optional: true }, all: { type: 'bool', optional: true }, follow: { type: 'bool', optional: true } },
  unlog: {},
  'user.list': { search: { type: 'string', maxLength: 32, optional: true }, limit: { type: 'int', min: 1, max: 500, optional: true } },
  'user.show': { handle },
  /** a new account (`carrier user add`): a user, or a sysop (the board's own sysop name allowed) */
  'user.add': { handle, password: { type: 'string', minLength: 1, maxLength: 200 }, sysop: { type: 'bool', optional: true } },
  /** an ssh public key for the account: one OpenSSH line (a .pub file), at most the store's 16 KiB */
  'user.key-add': { handle, publicKey: { type: 'string', minLength: 1, maxLength: 16 * 1024 } },
  /** a key of the account, by its fingerprint (SHA256:…) or its number in `user key list` */
  'user.key-remove': { handle, key: { type: 'string', minLength: 1, maxLength: 100 } },
  'user.set-level': { handle, level: { type: 'int', min: 0, max: 100 }, by },
  'user.lock': { handle, by },
  'user.unlock': { handle },
  'user.reset-password': { handle, password: { type: 'string', minLength: 1, maxLength: 200, optional: true } },
  'user.delete': { handle, by },
  'user.set-notes': { handle, notes: { type: 'string', maxLength: 2000 } },
  'user.set-location': { handle, location: { type: 'string', maxLength: 200 }, by },
  'user.set-flags': { handle, flags: { type: 'string', maxLength: 26, pattern: /^[A-Z]*$/ }, by },
  reload: { what: { type: 'enum', values: ['all', 'menus', 'scripts', 'art', 'areas', 'bans'], optional: true } },
  shutdown: { in: duration, message: { type: 'string', maxLength: 200, optional: true } },
} as const satisfies Record<string, Schema>;

export type Verb = keyof typeof VERBS;

type FieldValue<F> = F extends { type: 'int' } ? number : F extends { type: 'bool' } ? boolean : F extends { type: 'enum'; values: readonly (infer V)[] } ? V : string;
type Optional<S> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
export type ArgsOf<V extends Verb> = { -readonly [K in Exclude<keyof (typeof VERBS)[V], Optional<(typeof VERBS)[V]>>]: FieldValue<(typeof VERBS)[V][K]> } & {
  -readonly [K in Optional<(typeof VERBS)[V]>]?: FieldValue<(typeof VERBS)[V][K]>;
};

export function isVerb(name: unknown): name is Verb {
  return typeof name === 'string' && Object.hasOwn(VERBS, name);
}

/** Error codes a reply can carry. */
export type ControlErrorCode =
  | 'too_large'
  | 'truncated'
  | 'bad_frame'
  | 'invalid_json'
  | 'unknown_verb'
  | 'bad_args'
  | 'flood'
  | 'idle'
  | 'busy'
  | 'unauthorized'
  | 'not_found'
  | 'failed';

export interface ControlError {
  code: ControlErrorCode;
  message: string;
}

/** Check `args` against `verb`'s schema: the typed arguments, or what is wrong (never echoing much of the input). */
export function checkArgs<V extends Verb>(verb: V, args: unknown): { ok: true; args: ArgsOf<V> } | { ok: false; why: string } {
  const schema: Schema = VERBS[verb];
  if (args === undefined) args = {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return { ok: false, why: 'args must be an object' };
  const given = args as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(schema, key)) return { ok: false, why: `${verb} takes no argument ${JSON.stringify(key.slice(0, 40))}` };
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const v = given[key];
    if (v === undefined || v === null) {
      if (spec.optional) continue;
      return { ok: false, why: `${verb} needs ${key}` };
    }
    switch (spec.type) {
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || v > spec.max) {
          return { ok: false, why: `${key} must be a whole number from ${spec.min} to ${spec.max}` };
        }
        break;
      case 'string':
        if (typeof v !== 'string') return { ok: false, why: `${key} must be a string` };
        if (v.length > spec.maxLength || v.length < (spec.minLength ?? 0)) {
          return { ok: false, why: `${key} must be ${spec.minLength ?? 0} to ${spec.maxLength} characters` };
        }
        if (spec.pattern && !spec.pattern.test(v)) return { ok: false, why: `${key} has the wrong form` };
        break;
      case 'bool':
        if (typeof v !== 'boolean') return { ok: false, why: `${key} must be true or false` };
        break;
      case 'enum':
        if (typeof v !== 'string' || !spec.values.includes(v)) return { ok: false, why: `${key} must be one of ${spec.values.join(', ')}` };
        break;
    }
    out[key] = v;
  }
  return { ok: true, args: out as ArgsOf<V> };
}

// ---- the self-change guard (the board applies it; the console on the board asks it first) ----

/** What a user change leaves of the account: gone, locked, or at a level. */
export type AccountChange = { kind: 'delete' } | { kind: 'lock' } | { kind: 'level'; level: number };

/**
 * A sysop does not delete, lock or lower their own account from its own session: that
 * pulls the seat from under them mid-call (a delete or a lock hangs them up, a demotion
 * closes the console). Another sysop can, or the host's CLI. This is a guard against a
 * slip, not an access rule: whoever reaches the control channel is the host's admin.
 *
 * The refusal of `change` to the sysop's own account, now at `level`, or undefined when it
 * may go ahead; whether the account is their own is the caller's to say. The board
 * applies it to every change (server user-admin.ts); the console on the board asks it
 * before its "type yes", so it never has the sysop confirm what the board would refuse.
 */
export function ownAccountRefusal(level: number, change: AccountChange): string | undefined {
  if (change.kind === 'level' && change.level >= level) return undefined;
  const what = change.kind === 'delete' ? 'delete' : change.kind === 'lock' ? 'lock' : 'lower the level of';
  return `you cannot ${what} your own account from its own session; another sysop can, or carrier user on the host`;
}

// ---- results (what the board answers; the console and CLI read these) ----------------

export interface NodeInfo {
  node: number;
  handle: string | null;
  protocol: string;
  activity: string;
  /** seconds since the caller's last key */
  idle: number;
  /** seconds on the line */
  online: number;
  from: string;
  terminal: { type: string; cols: number; rows: number; encoding: 'cp437' | 'utf8' };
  processId: string;
}

export interface UserInfo {
  id: number;
  handle: string;
  level: number;
  locked: boolean;
  flags: string;
  notes: string;
  location: string | null;
  createdAt: number;
  lastLoginAt: number | null;
  callCount: number;
}

export interface UserDetail extends UserInfo {
  calls: { node: number; protocol: string; from: string; startedAt: number; endedAt: number | null; endReason: string | null }[];
  /** posts and other things the user wrote, per kind that this board has (oneliners, messages…) */
  posts: { kind: string; count: number; recent: { at: number; text: string }[] }[];
}

export interface StatsInfo {
  /** since local midnight, per source that exists on this board: calls, new users, posts, uploads */
  today: { name: string; count: number }[];
}

export interface BanInfo {
  target: string;
  source: string;
  reason: string;
  expiresAt: number | null;
}

export interface LogLine {
  level: string;
  event: string;
  node?: number;
  line: string;
}

export interface SpyData {
  event: 'data';
  node: number;
  /** base64 of the bytes as the caller's terminal got them */
  data: string;
  encoding: 'cp437' | 'utf8';
  cols: number;
  rows: number;
  /** first event only, when the caller's screen could not be drawn again: what the spy shows instead */
  note?: string;
}
