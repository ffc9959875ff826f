import type { Logger } from '@carrier/core';
import type { BoardConfig } from '../board-config.js';
import type { LiveSession } from '../board-types.js';
import type { LoginGuard } from '../login-guard.js';
import type { BoardMenus } from '../menu/board-menus.js';
import type { ScriptLoader } from '../script-loader.js';
import type { ScriptBoard } from '../session-api.js';
import type { BoardSocial } from '../social/board-social.js';

/** What the board hands each session it attaches. */
export interface SessionContext {
  board: ScriptBoard;
  config: Readonly<BoardConfig>;
  loader: ScriptLoader;
  artDir: string;
  processId: string;
  log: Logger;
  /** true the first time a key is seen board-wide: one warning per missing art file, not one per caller */
  firstTime(key: string): boolean;
  /** the session ended and its bookkeeping is done */
  ended(session: LiveSession): void;
  /** this process's social layer: routes pages and chat requests here, mutes, flood control */
  social: BoardSocial;
  /** the board's menus, run as `menu:<name>` on the script stack; none when the board has no menus folder */
  menus?: BoardMenus | undefined;
  /** the board's login policy (bot trap, penalties, audit), if any */
  loginGuard?: LoginGuard | undefined;
}

/** A part's host: the session's shared host (its getters stay live: the logger changes) plus the part's own hooks. */
export function part<H extends object, E extends object>(host: H, extras: E): H & E {
  return Object.assign(Object.create(host) as H, extras);
}
