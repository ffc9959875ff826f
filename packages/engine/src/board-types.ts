import type { Connection } from '@carrier/core';
import type { SpyOutput } from './draw-again.js';
import type { ScriptBoard, Session } from './session-api.js';
import type { UserChanged } from './topics.js';

export type { BoardConfig } from './board-config.js';

/**
 * A session as the board and the server hold it: the script-facing Session plus what
 * only they may do to it. Scripts never see this type.
 */
export interface LiveSession extends Session {
  /** Show a one-line message from someone else (sysop, board) without breaking the screen or the line being typed. */
  deliverMessage(from: string, text: string): void;
  /**
   * Draw the caller's screen again, the same screen, to `out` only (a sysop's spy starts: it
   * copies only what is sent after that; the caller is sent nothing). Undefined when it was;
   * else a few words for the spy's label saying what it shows instead (a door's screen
   * cannot be drawn again).
   */
  repaint(out: SpyOutput): string | undefined;
  /**
   * Hold the session's own output (the sysop's break-in chat writes past it, on a screen
   * nothing else may draw on): the release writes `first`, then what was held, in order.
   */
  holdOutput(): (first?: string) => void;
  /** A sysop action or a shutdown ends this session with a last line (cleaned of controls). */
  disconnect(reason: string, text: string): void;
  /**
   * A sysop changed the caller's account (`user.changed`): it is read again now, so its level
   * counts from the next screen; a new level, new flags or a new location is told as a notice
   * (not to the sysop who made the change, `by`, from their own session), a deleted account
   * ends the call.
   */
  accountChanged(change?: Omit<UserChanged, 'userId'>): Promise<void>;
}

/** The board as the server holds it (createBoard in board.ts). */
export interface Board extends ScriptBoard {
  /** Start a session on a negotiated connection. */
  attach(conn: Connection): LiveSession;
  /** Sessions served by this process, oldest first. */
  sessions(): LiveSession[];
  /** A session of this process by id. */
  session(id: string): LiveSession | undefined;
  /** Tell every caller `message`, end every session and wait (briefly) for them to unwind. */
  shutdown(message?: string): Promise<void>;
}
