import type { Connection, Logger } from '@carrier/core';
import type { Store, User } from '@carrier/store';
import type { BoardConfig } from '../board-config.js';
import type { Bus } from '../bus.js';
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

/** What a part reads live from its session: the logger changes at login and at the node claim. */
export interface HostLive {
  readonly log: Logger;
  readonly closed: boolean;
  readonly user: User | undefined;
}

/**
 * What every part of a session shares: fixed fields, and getters that read the session
 * live. A class, so that the parts of every session share V8's hidden classes: parts made
 * with `Object.create(host)` from a per-session object literal (with its own getters)
 * gave each caller about 25 hidden classes of its own, ~3 KiB of a parked caller.
 */
export class SessionHost {
  constructor(
    readonly conn: Connection,
    readonly sessionId: string,
    readonly store: Store,
    readonly bus: Bus,
    readonly processId: string,
    readonly artDir: string,
    readonly guard: LoginGuard | undefined,
    private readonly live: HostLive,
  ) {}

  get log(): Logger {
    return this.live.log;
  }

  get closed(): boolean {
    return this.live.closed;
  }

  get handle(): string | null {
    return this.live.user?.handle ?? null;
  }
}

/** A part's host: the session's shared host (its getters stay live) plus the part's own hooks. */
export function part<E extends object>(host: SessionHost, extras: E): SessionHost & E {
  // Same prototype and the same properties in the same order: one hidden class per call site.
  return Object.assign(Object.assign(Object.create(SessionHost.prototype) as SessionHost, host), extras);
}
