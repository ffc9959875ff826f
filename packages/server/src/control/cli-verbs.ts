import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { escapeClientText, isCarrierError } from '@carrier/core';
import { LEVELS, type Store } from '@carrier/store';
import { ControlRequestError, dialControl, type ControlClient, type NodeInfo, type UserDetail, type UserInfo, type Verb } from '@carrier/sysop/protocol';
import { ConfigError } from '../config.js';
import type { CarrierConfig } from '../config-schema.js';
import { openBoardFiles } from '../files-command.js';
import { auditArgs, auditResult, type ControlAudit } from './control-server.js';
import { controlSocketPath, controlTokenPath } from './start-control.js';
import * as users from './user-admin.js';

export const CONTROL_USAGE = `  who                                     who is on the running board, node by node
  kick <node|handle> [reason]             hang up a node (a handle: each node it is on)
  message <node|handle> <text>            show a line on one caller's screen
  broadcast <text>                        show a line to every caller
  shutdown [--message <text>] [--in <s>]  tell every caller, wait (default 5 s, up to 600), stop as on SIGTERM
  sysop                                   the sysop's console (full screen) on the running board
  user show <handle>                      the account: level, lock, flags, notes, calls
  user set-level <handle> <0-100|new|user|cosysop|sysop>
  user set-location <handle> <text|->    where the user calls from (- clears it)
  user set-flags <handle> <letters|->     the account's flags, letters A-Z (- clears them)
  user set-notes <handle> <text|->        the sysop's notes on the account (- clears them)
  user passwd <handle>                    new password from standard input
  user lock|unlock <handle>               refuse or allow the account's logins
  user delete <handle>                    delete the account (its posts stay, as "deleted user")`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** the board's audit trail, for an account change made on the store directly (no board answers) */
  audit?: ControlAudit;
}

/** A usage mistake: the CLI prints it with the usage text and exits 2. */
export class ControlUsageError extends Error {}

/** Not running: the exact sentence the one-shot verbs print, with exit 1. */
export function notRunning(cfg: CarrierConfig): string {
  return `no board is running at ${resolve(cfg.dataDir)}`;
}

/** The running board's control channel, or undefined when nothing answers there. */
export async function dialBoard(cfg: CarrierConfig): Promise<ControlClient | undefined> {
  const socketPath = controlSocketPath(cfg);
  if (existsSync(socketPath)) {
    try {
      return await dialControl({ socketPath });
    } catch {
      /* a socket left by a board that died: try TCP, else nothing runs */
    }
  }
  if (cfg.control.tcpPort !== 'off' && cfg.control.tcpPort !== 0 && existsSync(controlTokenPath(cfg))) {
    try {
      const token = readFileSync(controlTokenPath(cfg), 'utf8').trim();
      return await dialControl({ host: '127.0.0.1', port: cfg.control.tcpPort, token });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Who `kick` and `message` act on: a node number, or a handle (every node that caller is on, on any process). */
type Target = { node: number } | { handle: string };

function targetArg(raw: string | undefined, verb: string): Target {
  if (raw !== undefined && /^\d+$/.test(raw) && Number(raw) >= 1) return { node: Number(raw) };
  if (raw === undefined || !/^[A-Za-z0-9_. -]{1,32}$/.test(raw) || /^\d+$/.test(raw)) {
    throw new ControlUsageError(`${verb} needs a node number or a handle (got ${JSON.stringify((raw ?? '').slice(0, 40))})`);
  }
  return { handle: raw };
}

/** The nodes `target` names on the running board; a handle nobody is on as is a failure, as an empty node is. */
async function nodesOf(c: ControlClient, target: Target): Promise<{ node: number; handle: string | null }[]> {
  if ('node' in target) return [{ node: target.node, handle: null }];
  const key = target.handle.toLowerCase();
  const on = ((await c.request('who')) as NodeInfo[]).filter((n) => n.handle?.toLowerCase() === key);
  if (on.length === 0) throw new ControlRequestError('not_found', `nobody is on as ${JSON.stringify(target.handle)}`);
  return on;
}

function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}`;
}

/** Each column as wide as its widest cell (cells are capped by their makers), two spaces apart. */
function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join('').trimEnd());
}

export function formatWho(nodes: NodeInfo[]): string[] {
  if (nodes.length === 0) return ['nobody is on'];
  return columns([
    ['node', 'handle', 'proto', 'idle', 'on', 'from', 'activity'],
    ...nodes.map((n) => [
      String(n.node),
      escapeClientText(n.handle ?? '(logging in)', 40),
      escapeClientText(n.protocol, 12),
      ago(n.idle),
      ago(n.online),
      escapeClientText(n.from, 46),
      escapeClientText(n.activity, 40),
    ]),
  ]);
}

/** `shutdown`: the grace time callers get after the notice, by default and at most. */
export const SHUTDOWN_GRACE_S = 5;
export const MAX_SHUTDOWN_GRACE_S = 600;
/** After the grace time, how long the board's own stop may take before the CLI gives up waiting. */
const STOP_WAIT_MS = 60_000;
/** How often the CLI looks whether the board's process is still there. */
const EXIT_CHECK_MS = 100;

/** `shutdown [--message <text>] [--in <seconds>]`, each option as `--x v` or `--x=v`. */
export function shutdownArgs(args: readonly string[]): { seconds: number; message: string } {
  let seconds = SHUTDOWN_GRACE_S;
  let message = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
    if (name === '--in') {
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > MAX_SHUTDOWN_GRACE_S) {
        throw new ControlUsageError(`shutdown --in needs a whole number of seconds from 0 to ${MAX_SHUTDOWN_GRACE_S} (got ${JSON.stringify((value ?? '').slice(0, 20))})`);
      }
      seconds = Number(value);
    } else if (name === '--message') {
      if (value === undefined || value.trim() === '' || value.length > 200) throw new ControlUsageError('shutdown --message needs a text of 1 to 200 characters');
      message = value.trim();
    } else {
      throw new ControlUsageError(`shutdown takes --message and --in, not ${JSON.stringify(name.slice(0, 40))}`);
    }
  }
  return { seconds, message };
}

/** Whether process `pid` (on this host) is still there: EPERM means it is, someone else's. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited process its parent has not reaped yet (a zombie) answers kill 0 too; Linux's /proc tells.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Resolves true once process `pid` has gone, false if it is still there at `deadline`. */
async function processGone(pid: number, deadline: number): Promise<boolean> {
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, EXIT_CHECK_MS));
  }
  return true;
}

/** `who`, `kick`, `message`, `broadcast`, `shutdown`: one request to the running board. */
export async function controlCommand(verb: string, args: string[], cfg: CarrierConfig, io: CliIo): Promise<number> {
  // Usage first: a mistake is named whether or not a board runs.
  let request: (c: ControlClient) => Promise<void>;
  switch (verb) {
    case 'who':
      request = async (c) => {
        for (const line of formatWho((await c.request('who')) as NodeInfo[])) io.out(line);
      };
      break;
    case 'kick': {
      const target = targetArg(args[0], 'kick');
      const reason = args.slice(1).join(' ');
      if (reason.length > 200) throw new ControlUsageError('kick: the reason is over 200 characters');
      request = async (c) => {
        for (const { node, handle } of await nodesOf(c, target)) {
          // By handle: only while that caller is on the node (it may have gone to someone else since the look).
          const r = (await c.request('kick', { node, ...(reason ? { reason } : {}), ...('handle' in target && handle !== null ? { handle } : {}) })) as { handle: string | null };
          io.out(`kicked node ${node}${r.handle ? ` (${escapeClientText(r.handle, 32)})` : ''}`);
        }
      };
      break;
    }
    case 'message': {
      const target = targetArg(args[0], 'message');
      const text = args.slice(1).join(' ');
      if (!text.trim() || text.length > 500) throw new ControlUsageError('message needs a node or a handle, and a text of 1 to 500 characters');
      request = async (c) => {
        for (const { node, handle } of await nodesOf(c, target)) {
          await c.request('message', { node, text, ...('handle' in target && handle !== null ? { handle } : {}) });
          io.out(`sent to node ${node}${handle ? ` (${escapeClientText(handle, 32)})` : ''}`);
        }
      };
      break;
    }
    case 'broadcast': {
      const text = args.join(' ');
      if (!text.trim() || text.length > 500) throw new ControlUsageError('broadcast needs a text of 1 to 500 characters');
      request = async (c) => {
        await c.request('broadcast', { text });
        io.out('sent to every caller');
      };
      break;
    }
    case 'shutdown': {
      const { seconds, message } = shutdownArgs(args);
      request = async (c) => {
        // The board tells every caller now (and again 60 s and 10 s before, when there is
        // time), then stops as on SIGTERM; the control channel closes as that stop begins,
        // so the end is the board's process going.
        const r = (await c.request('shutdown', { in: `${seconds}s`, ...(message ? { message } : {}) })) as { at: number; pid?: unknown };
        io.out(`every caller is told; the board stops in ${seconds} s`);
        // Nothing more to ask: let go of the channel now, not at its idle timeout mid-grace.
        c.close();
        // A board from before this verb answers without its process: it stops all the same.
        if (typeof r.pid !== 'number' || !Number.isSafeInteger(r.pid) || r.pid < 1) throw new ControlRequestError('failed', 'the board did not name its process, so its end cannot be awaited');
        if (!(await processGone(r.pid, r.at + STOP_WAIT_MS))) {
          throw new ControlRequestError('failed', `the board (process ${r.pid}) was still running ${STOP_WAIT_MS / 1000} s after its stop began`);
        }
        io.out('the board stopped');
      };
      break;
    }
    default:
      throw new ControlUsageError(`unknown verb ${JSON.stringify(verb)}`);
  }
  const c = await dialBoard(cfg);
  if (!c) {
    io.err(`carrier: ${notRunning(cfg)}`);
    return 1;
  }
  try {
    await request(c);
    return 0;
  } catch (err) {
    if (err instanceof ControlRequestError) {
      io.err(`carrier: ${verb}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    c.close();
  }
}

/** `carrier status` adds who is on, by handle, from the running board (nothing when none runs). */
export async function statusWho(cfg: CarrierConfig, out: (line: string) => void): Promise<void> {
  const c = await dialBoard(cfg);
  if (!c) {
    out(`online: unknown (${notRunning(cfg)})`);
    return;
  }
  try {
    const nodes = (await c.request('who')) as NodeInfo[];
    const named = nodes.map((n) => `${escapeClientText(n.handle ?? '(logging in)', 32)} (node ${n.node}, ${n.protocol})`);
    out(`online: ${named.length === 0 ? 'nobody' : named.join(', ')}`);
  } catch {
    out('online: unknown (the control channel did not answer)');
  } finally {
    c.close();
  }
}

function when(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
}

export function formatUser(u: UserInfo | UserDetail): string[] {
  const lines = [
    `handle:     ${escapeClientText(u.handle, 32)}`,
    `level:      ${u.level}`,
    `locked:     ${u.locked ? 'yes' : 'no'}`,
    `flags:      ${u.flags || '-'}`,
    `location:   ${u.location === null ? '-' : escapeClientText(u.location, 64)}`,
    `created:    ${when(u.createdAt)}`,
    `last login: ${when(u.lastLoginAt)}`,
    `calls:      ${u.callCount}`,
    `notes:      ${u.notes ? escapeClientText(u.notes, 500) : '-'}`,
  ];
  if ('calls' in u) {
    for (const c of u.calls) lines.push(`  call ${when(c.startedAt)} node ${c.node} ${c.protocol} from ${c.from}${c.endReason ? ` (${escapeClientText(c.endReason, 60)})` : ''}`);
    for (const p of u.posts) lines.push(`  ${p.kind}: ${p.count}`);
  }
  return lines;
}

/**
 * `user lock|delete`: with a board answering on the control channel, through its
 * `user.lock`/`user.delete` verbs, which also hang up every live session of the account
 * on every node (the `session.disconnect` topic `kick` publishes), as the console's do;
 * with none, on the store directly.
 */
async function endingAccount(sub: 'lock' | 'delete', handle: string, cfg: CarrierConfig, store: Store, io: CliIo): Promise<number> {
  const done = (u: { handle: string; postsKept?: number; uploadsDeleted?: number }, hungUp: string): void =>
    io.out(
      sub === 'lock'
        ? `${u.handle} is locked: logins are refused; ${hungUp}`
        : `deleted ${u.handle}; ${u.postsKept ?? 0} post(s) kept as "${users.DELETED_USER}"; ${u.uploadsDeleted ? `${u.uploadsDeleted} upload(s) waiting for the sysop deleted; ` : ''}${hungUp}`,
    );
  const c = await dialBoard(cfg);
  if (!c) {
    // Without the board, its file areas from files.yaml: the account's quarantined uploads go too.
    const u =
      sub === 'lock'
        ? await audited(io, 'user.lock', { handle }, () => users.setLocked(store, handle, true))
        : await audited(io, 'user.delete', { handle }, async () => users.deleteUser(store, handle, await openBoardFiles(cfg, store)));
    done(u, `no board answers on the control channel at ${resolve(cfg.dataDir)}, so no live session was hung up`);
    return 0;
  }
  try {
    const r = (await c.request(sub === 'lock' ? 'user.lock' : 'user.delete', { handle })) as { handle: string; postsKept?: number; uploadsDeleted?: number; kicked: number };
    done(r, r.kicked === 0 ? 'nobody was on as them' : `hung up ${r.kicked} live session${r.kicked === 1 ? '' : 's'}`);
    return 0;
  } catch (err) {
    if (err instanceof ControlRequestError) {
      io.err(`carrier: user ${sub}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    c.close();
  }
}

/**
 * An account change made on the store directly (no board answers) goes to the audit trail
 * as the control channel writes it (control-server.ts), with `peer: 'cli'`: the trail has
 * every change, whichever seat made it.
 */
async function audited<T>(io: CliIo, verb: Verb, args: Record<string, unknown>, change: () => Promise<T>): Promise<T> {
  const line = { peer: 'cli', verb, ...auditArgs(verb, args) };
  try {
    const done = await change();
    io.audit?.control('control.verb', { ...line, ...auditResult(verb, done), ok: true });
    return done;
  } catch (err) {
    // files.yaml unreadable: nothing was asked of the store.
    if (!(err instanceof ConfigError)) io.audit?.control('control.verb', { ...line, ok: false, error: err instanceof users.UserAdminError ? err.code : 'failed' });
    throw err;
  }
}

/**
 * A change to an account: with a board answering on the control channel, through its verb,
 * so it reaches a caller who is on (on any process: `user.changed`) and the board audits it;
 * with none, on the store directly, audited here.
 */
async function changeAccount<T>(cfg: CarrierConfig, io: CliIo, verb: Verb, args: Record<string, unknown>, direct: () => Promise<T>): Promise<T> {
  const c = await dialBoard(cfg);
  if (!c) return audited(io, verb, args, direct);
  try {
    return (await c.request(verb, args)) as T;
  } finally {
    c.close();
  }
}

/** The board's levels by name, for `user set-level`. */
const LEVEL_NAMES: Readonly<Record<string, number>> = { new: LEVELS.newUser, user: LEVELS.user, cosysop: LEVELS.cosysop, sysop: LEVELS.sysop };

/** A user verb's refusal (no such user, the store's or the board's no) as one line and exit 1; a config problem stays exit 2. */
async function reported(label: string, io: CliIo, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    // files.yaml (read for a delete with no board) is the board's config: exit 2 naming it, as start does.
    if (err instanceof ConfigError) throw err;
    if (err instanceof users.UserAdminError || err instanceof ControlRequestError || isCarrierError(err)) {
      io.err(`carrier: ${label}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/**
 * `user add <handle> --password-stdin [--sysop]`: through the running board's `user.add`
 * when one answers (the board audits it), else on the store, audited here.
 */
export async function userAddCommand(args: string[], cfg: CarrierConfig, io: CliIo): Promise<number> {
  // A mistyped option (`--syspo`) must not make an account quietly other than the one meant.
  const unknown = args.find((a) => a.startsWith('--') && a !== '--password-stdin' && a !== '--sysop');
  if (unknown !== undefined) throw new ControlUsageError(`user add: unknown option ${JSON.stringify(unknown.slice(0, 40))}`);
  const handles = args.filter((a) => !a.startsWith('--'));
  if (handles.length > 1) throw new ControlUsageError('user add takes one handle (quote a handle with spaces)');
  const handle = handles[0];
  if (!handle) throw new ControlUsageError('user add needs a handle');
  if (!args.includes('--password-stdin')) throw new ControlUsageError('user add needs --password-stdin (the password is read from standard input)');
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  const sysop = args.includes('--sysop');
  return io.withStore((store) =>
    reported('user add', io, async () => {
      const u = await changeAccount<UserInfo>(cfg, io, 'user.add', { handle, password, ...(sysop ? { sysop } : {}) }, () =>
        users.addUser(store, handle, password, { sysop, sysopName: cfg.board.sysop }),
      );
      io.out(`added ${u.handle} (level ${u.level})`);
      return 0;
    }),
  );
}

/**
 * `user key add <handle> <file|->` (`publicKey` is the file's text) and `user key remove
 * <handle> <fingerprint|id>`: through the running board when one answers, else on the
 * store; audited either way, by the key's fingerprint.
 */
export async function userKeyCommand(sub: 'add' | 'remove', handle: string, arg: string, cfg: CarrierConfig, io: CliIo): Promise<number> {
  return io.withStore((store) =>
    reported(`user key ${sub}`, io, async () => {
      if (sub === 'add') {
        const k = await changeAccount<{ handle: string; algo: string; fingerprint: string }>(cfg, io, 'user.key-add', { handle, publicKey: arg }, () => users.addKey(store, handle, arg));
        io.out(`added ${k.algo} ${k.fingerprint} for ${k.handle}`);
      } else {
        const k = await changeAccount<{ handle: string; fingerprint: string }>(cfg, io, 'user.key-remove', { handle, key: arg }, () => users.removeKey(store, handle, arg));
        io.out(`removed ${k.fingerprint} from ${k.handle}`);
      }
      return 0;
    }),
  );
}

/** `user show|set-level|set-location|set-flags|set-notes|passwd|lock|unlock|delete`: changes through the running board when one answers, else on the store (changeAccount). */
export async function userAdminCommand(sub: string, args: string[], cfg: CarrierConfig, io: CliIo): Promise<number> {
  const handle = args[0];
  if (!handle) throw new ControlUsageError(`user ${sub} needs a handle`);
  let level: number | undefined;
  if (sub === 'set-level') {
    const raw = args[1];
    // A number, or the name of one of the board's levels (as files.yaml and messages.yaml take `sysop`).
    const named = raw === undefined ? undefined : LEVEL_NAMES[raw.toLowerCase()];
    if (named === undefined && (raw === undefined || !/^\d+$/.test(raw) || Number(raw) > 100)) {
      throw new ControlUsageError(`user set-level needs a level from 0 to 100, or ${Object.keys(LEVEL_NAMES).join(', ')} (got ${JSON.stringify(raw ?? '')})`);
    }
    level = named ?? Number(raw);
  }
  // The words after the handle, as typed (a shell passes `Oslo, Norway` as two).
  const location = sub === 'set-location' ? args.slice(1).join(' ') : undefined;
  if (sub === 'set-location' && !location) throw new ControlUsageError('user set-location needs a location, or - to clear it');
  const flags = sub === 'set-flags' ? args[1] : undefined;
  if (sub === 'set-flags' && (args.length !== 2 || (flags !== '-' && !/^[A-Za-z]{1,26}$/.test(flags ?? '')))) {
    throw new ControlUsageError(`user set-flags needs letters A to Z, or - to clear them (got ${JSON.stringify(args.slice(1).join(' '))})`);
  }
  const notes = sub === 'set-notes' ? args.slice(1).join(' ') : undefined;
  if (sub === 'set-notes' && !notes) throw new ControlUsageError('user set-notes needs the notes, or - to clear them');
  if (notes !== undefined && notes.length > 2000) throw new ControlUsageError(`user set-notes takes at most 2,000 characters (got ${notes.length})`);
  const password = sub === 'passwd' ? (await io.readStdin()).replace(/\r?\n$/, '') : undefined;
  if (sub === 'passwd' && !password) throw new ControlUsageError('user passwd reads the new password from standard input, and got none');
  return io.withStore((store) =>
    reported(`user ${sub}`, io, async () => {
      switch (sub) {
        case 'show':
          for (const line of formatUser(await users.showUser(store, handle))) io.out(line);
          return 0;
        case 'set-level': {
          const u = await changeAccount<UserInfo>(cfg, io, 'user.set-level', { handle, level }, () => users.setLevel(store, handle, level!));
          io.out(`${u.handle} is now level ${u.level}`);
          return 0;
        }
        case 'set-location': {
          const where = location === '-' ? '' : location!;
          const u = await changeAccount<UserInfo>(cfg, io, 'user.set-location', { handle, location: where }, () => users.setLocation(store, handle, where));
          io.out(u.location === null ? `${u.handle} has no location` : `${u.handle} calls from ${escapeClientText(u.location, 64)}`);
          return 0;
        }
        case 'set-flags': {
          const letters = flags === '-' ? '' : flags!.toUpperCase();
          const u = await changeAccount<UserInfo>(cfg, io, 'user.set-flags', { handle, flags: letters }, () => users.setFlags(store, handle, letters));
          io.out(u.flags ? `${u.handle} has flags ${u.flags}` : `${u.handle} has no flags`);
          return 0;
        }
        case 'set-notes': {
          const text = notes === '-' ? '' : notes!;
          const u = await changeAccount<UserInfo>(cfg, io, 'user.set-notes', { handle, notes: text }, () => users.setNotes(store, handle, text));
          io.out(u.notes ? `notes on ${u.handle} saved` : `${u.handle} has no notes`);
          return 0;
        }
        case 'passwd': {
          const r = await changeAccount<{ handle: string }>(cfg, io, 'user.reset-password', { handle, password }, () => users.resetPassword(store, handle, password));
          io.out(`new password set for ${r.handle}`);
          return 0;
        }
        case 'unlock': {
          const u = await changeAccount<UserInfo>(cfg, io, 'user.unlock', { handle }, () => users.setLocked(store, handle, false));
          io.out(`${u.handle} is unlocked`);
          return 0;
        }
        case 'lock':
        case 'delete':
          return await endingAccount(sub, handle, cfg, store, io);
        default:
          throw new ControlUsageError(`unknown user verb ${JSON.stringify(sub)}`);
      }
    }),
  );
}
