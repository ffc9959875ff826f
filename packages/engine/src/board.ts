import { CarrierError, client, ErrorCodes, type Logger } from '@carrier/core';
import type { Store } from '@carrier/store';
import { DEFAULT_BOARD_CONFIG, MAX_CHAT_REQUEST_TIMEOUT_MS, type BoardConfig } from './board-config.js';
import type { Board } from './board-types.js';
import type { Bus, Unsubscribe } from './bus.js';
import { ScriptLoader } from './script-loader.js';
import { CallSession } from './session.js';
import { newProcessId } from './presence.js';
import type { SessionContext } from './session/context.js';
import { BoardSocial } from './social/board-social.js';
import { boardMenus, type BoardMenuOptions } from './menu/board-menus.js';
import type { BoardDoors } from './doors/board-doors.js';
import type { BoardFiles } from './files/board-files.js';
import type { LoginGuard } from './login-guard.js';

// The board's types live in leaf modules (board-config.ts, board-types.ts) so that
// scripts, menus and the session's parts never import this file.
export { DEFAULT_BOARD_CONFIG, MAX_CHAT_REQUEST_TIMEOUT_MS, type BoardConfig } from './board-config.js';
export type { Board, LiveSession } from './board-types.js';

export interface BoardOptions {
  name: string;
  store: Store;
  bus: Bus;
  log: Logger;
  scriptsDir: string;
  artDir: string;
  /** compiled scripts go to `<cacheDir>/scripts/` */
  cacheDir: string;
  /** menus (`config/menus`), run as `menu:<name>`; without it the board runs scripts only */
  menus?: BoardMenuOptions | undefined;
  config?: Partial<BoardConfig>;
  /** the login policy (bot trap, penalties, audit); none: every login name is let through */
  loginGuard?: LoginGuard | undefined;
  /** how presence names this process; default host:pid */
  processId?: string;
  /** the doors (config/doors.yaml): the `door:` menu action and scripts/doors.ts run them */
  doors?: BoardDoors | undefined;
  /** the file areas (config/files.yaml): scripts/files.ts, SFTP and `carrier files` use them */
  files?: BoardFiles | undefined;
}

export const BUS_LINK_DOWN = "The link to the other nodes is down: chat and who's online reach this node only for now.";
export const BUS_LINK_UP = "The link to the other nodes is back: chat and who's online span the whole board again.";

/** A shutdown waits this long for sessions to record their hang-up, then gives up on them. */
const SHUTDOWN_DEADLINE_MS = 3_000;
/** Distinct "warn once" keys remembered; a script looping over made-up art names cannot grow it further. */
const MAX_WARN_ONCE_KEYS = 1_000;

export function createBoard(opts: BoardOptions): Board {
  const config = validateConfig({ ...DEFAULT_BOARD_CONFIG, ...definedOnly(opts.config ?? {}) });
  const log = opts.log.child({ board: opts.name });
  const loader = new ScriptLoader(opts.scriptsDir, opts.cacheDir, log);
  const live = new Map<string, CallSession>();
  const warned = new Set<string>();
  const processId = opts.processId ?? newProcessId();
  let stopping = false;

  const board: Board = {
    name: opts.name,
    config,
    store: opts.store,
    bus: opts.bus,
    log,
    doors: opts.doors,
    files: opts.files,
    attach(conn) {
      const session = new CallSession(conn, ctx);
      if (stopping) {
        session.disconnect('server shutdown', 'The board is going down. Call again soon.');
        return session;
      }
      live.set(session.id, session);
      void session.run();
      return session;
    },
    sessions: () => [...live.values()],
    session: (id) => live.get(id),
    async shutdown(message = 'The board is going down. Call again soon.') {
      stopping = true;
      const all = [...live.values()];
      for (const s of all) s.disconnect('server shutdown', message);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), SHUTDOWN_DEADLINE_MS);
      });
      const result = await Promise.race([Promise.all(all.map((s) => s.done)).then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (result === 'late') log.warn('board.shutdown_late', { unfinished: [...live.keys()].length });
      for (const off of subscriptions) off();
      social.close();
      log.info('board.shutdown', { sessions: all.length });
    },
  };

  // Pages, chat requests, broadcasts and private messages reach this process's sessions through it.
  const social = new BoardSocial(board, opts.bus, log, config.chat);

  const ctx: SessionContext = {
    board,
    config,
    loader,
    social,
    menus: opts.menus ? boardMenus(opts.menus, loader, opts.artDir, log) : undefined,
    loginGuard: opts.loginGuard,
    artDir: opts.artDir,
    processId,
    log,
    firstTime(key) {
      if (warned.has(key)) return false;
      if (warned.size < MAX_WARN_ONCE_KEYS) warned.add(key);
      return true;
    },
    ended(session) {
      live.delete(session.id);
    },
  };

  // Sysop actions arrive over the bus so they reach the session on whichever process holds it.
  const subscriptions: Unsubscribe[] = [
    opts.bus.subscribe('session.disconnect', ({ sessionId, reason, by }) => {
      const s = live.get(sessionId);
      if (!s) return;
      s.log.info('session.disconnected_by', { by: client(by), reason: client(reason) });
      s.disconnect(`disconnected by ${by}`.slice(0, 80), reason ? `Disconnected: ${reason}` : 'Disconnected by the sysop.');
    }),
    opts.bus.subscribe('session.message', ({ sessionId, from, text }) => {
      live.get(sessionId)?.deliverMessage(from, text);
    }),
    opts.bus.subscribe('user.changed', ({ userId, ...change }) => {
      for (const s of live.values()) if (s.user?.id === userId) void s.accountChanged(change);
    }),
    // Callers should know why chat went quiet (or who's online shrank) while the
    // processes of a multi-process board cannot reach each other.
    opts.bus.subscribe('bus.link', ({ up }) => {
      const text = up ? BUS_LINK_UP : BUS_LINK_DOWN;
      for (const s of live.values()) s.social.notify({ kind: 'system', from: opts.name, text, at: Date.now() });
    }),
  ];

  return board;
}

/** `{ idleTimeoutMs: undefined }` from a half-filled config must not erase the default. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validateConfig(config: BoardConfig): Readonly<BoardConfig> {
  const bad = (key: string, why: string): never => {
    throw new CarrierError(ErrorCodes.CONFIG_INVALID, `board config ${key} ${why}`, { key });
  };
  for (const key of ['idleTimeoutMs', 'loginTimeoutMs', 'maxDurationMs', 'probeTimeoutMs', 'chatRequestTimeoutMs'] as const) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(key, 'must be a positive number of milliseconds');
  }
  if (config.chatRequestTimeoutMs > MAX_CHAT_REQUEST_TIMEOUT_MS) bad('chatRequestTimeoutMs', `must be at most ${MAX_CHAT_REQUEST_TIMEOUT_MS} ms (1 h)`);
  if (!Number.isInteger(config.maxLoginTries) || config.maxLoginTries < 1) bad('maxLoginTries', 'must be a whole number >= 1');
  if (!Number.isInteger(config.maxLineLength) || config.maxLineLength < 1) bad('maxLineLength', 'must be a whole number >= 1');
  if (config.keyRate !== undefined && !(config.keyRate.perSecond > 0 && config.keyRate.burst >= 1)) bad('keyRate', 'needs perSecond > 0 and burst >= 1');
  for (const key of ['startScript', 'authenticatedScript'] as const) {
    if (typeof config[key] !== 'string' || config[key] === '') bad(key, 'must name a script');
  }
  if (config.defaultEncoding !== undefined && config.defaultEncoding !== 'cp437' && config.defaultEncoding !== 'utf8') {
    bad('defaultEncoding', "must be 'cp437' or 'utf8'");
  }
  return Object.freeze(config);
}
