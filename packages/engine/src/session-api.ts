import type { Connection, Logger, TerminalInfo } from '@carrier/core';
import type { Key, ViewOptions } from '@carrier/terminal';
import type { HandleValidation, NewUser, Store, User, Validation } from '@carrier/store';
import type { BoardConfig } from './board-config.js';
import type { Bus, TopicHandler, Unsubscribe } from './bus.js';
import type { LightbarItem, LightbarOptions } from './lightbar.js';
import type { PagerOptions } from './pager.js';
import type { PresenceEntry } from './presence.js';
import type { SessionView } from './session-view.js';
import type { InputHolder } from './session/input-router.js';
import type { SessionSocial } from './social/session-social.js';
import type { Topic } from './topics.js';
import type { BoardDoors } from './doors/board-doors.js';
import type { BoardFiles } from './files/board-files.js';

/**
 * The script-facing API: what `scripts/*.ts` and menus receive as `s`. A leaf module
 * (types only), so scripts, menus, chat and the social screens depend on it and not on
 * the class that implements it (session.ts). What the board alone may do to a session
 * (run it, disconnect it, hand it a sysop message) is on `LiveSession` (board-types.ts),
 * not here.
 */

/** The longest line any prompt takes (a `longLine` prompt): twice the longest real public key line. */
export const LONG_LINE_MAX = 8 * 1024;

/** How `art()` draws: see there. */
export interface ArtOptions {
  /** shown instead when the art is missing or broken (default: its name) */
  fallback?: string;
  /** a modem speed, 110-115200 */
  baud?: number;
  /** asked once the art is read: false sends nothing */
  drawIf?: () => boolean;
}

/** What a `scripts/<name>.ts` file exports as default. */
export type ScriptFunction = (s: Session, ...args: any[]) => Promise<unknown> | unknown;

export interface ReadLineOptions {
  /** echo this character instead of what is typed (passwords) */
  mask?: string;
  /** characters; at most the board's `limits.maxLineLength`, or LONG_LINE_MAX for `longLine` */
  maxLength?: number;
  /**
   * The prompt takes one pasted, machine-made line (an OpenSSH public key: a 16384-bit RSA
   * .pub is ~2.8 KB): maxLength may go past the board's cap, up to LONG_LINE_MAX.
   */
  longLine?: boolean;
  /**
   * Word wrap (the line-mode message editor): a character typed at the end of a full line
   * ends it at its last space, and the word being typed starts the next readLine.
   */
  wrap?: boolean;
  /** text already in the line when the prompt appears */
  default?: string;
  /** earlier answers, oldest first, reachable with up/down (not for masked fields) */
  history?: readonly string[];
  /**
   * Escape (or ^C) answers the prompt with nothing, as Escape goes back on every
   * sub-screen (default true); false where a lost line would hurt (the line-mode editor).
   */
  cancelable?: boolean;
  /**
   * Draws the screen the prompt is on from a clear one, up to and with the prompt, for a
   * sysop's spy that starts while the caller types (its copy starts blank): the half-typed
   * line is drawn after it, the cursor where the caller's is, for the spy alone. For a
   * prompt under a listing (draw-again.ts printAndReadLine, readLineUnder). Without it the
   * spy gets the rows printed since the screen was last cleared (as many as fit) over the
   * prompt's line.
   */
  spyDraw?: () => void;
}

/** The board as a script sees it: its name, config, store, bus and this process's callers. */
export interface ScriptBoard {
  readonly name: string;
  readonly config: Readonly<BoardConfig>;
  readonly store: Store;
  readonly bus: Bus;
  readonly log: Logger;
  /** Sessions served by this process, oldest first. */
  sessions(): Session[];
  /** A session of this process by id. */
  session(id: string): Session | undefined;
  /** The doors (config/doors.yaml); undefined on a board started without them. */
  readonly doors?: BoardDoors | undefined;
  /** The file areas (config/files.yaml), uploads and transfers; undefined on a board started without them. */
  readonly files?: BoardFiles | undefined;
}

/** One caller's visit, as board scripts see it. */
export interface Session {
  /** Unique id of this session across the board; sysop tools address sessions by it. */
  readonly id: string;
  /** The caller's negotiated connection (terminal, identity, loginHint, raw events). */
  readonly conn: Connection;
  /** The board's database: users, calls. */
  readonly store: Store;
  /** The board's bus: topics and presence. */
  readonly bus: Bus;
  /** The board: name, config, sessions(). */
  readonly board: ScriptBoard;
  /** When the session started, ms since the epoch. */
  readonly startedAt: number;
  /** Resolves once the session has ended and its presence and call record are cleaned up. */
  readonly done: Promise<void>;
  /** Chat room, do-not-disturb, notices (pages, broadcasts) and chat requests (social/session-social.ts). */
  readonly social: SessionSocial;
  /** Node number on the board (lowest free, reused after hang-up); 0 until claimed at start. */
  readonly node: number;
  /** The logged-in user (set by login()), or undefined while logging in. */
  readonly user: User | undefined;
  /** Structured logger with this session's id, conn id, node and handle on every line. */
  readonly log: Logger;
  /** The caller's terminal: type, cols, rows, encoding (updated on resize). */
  readonly terminal: Readonly<TerminalInfo>;
  /** True once the caller is gone (or hung up); every read then rejects with ConnectionClosedError. */
  readonly closed: boolean;
  /** Why the session ended, once it has. */
  readonly endReason: string | undefined;
  /** What who's-online shows this caller doing. */
  readonly activity: string;
  /** Names of the running scripts, bottom of the stack first. */
  readonly scripts: string[];

  // ---- output ----
  /** Send Unicode text as it is (the connection encodes it for the terminal). */
  write(text: string): void;
  /** Send text with pipe codes (|07, |15 …) rendered and `\n` turned into `\r\n`. */
  print(text: string): void;
  /** print() followed by a new line. */
  println(text?: string): void;
  /** Clear the screen and home the cursor. */
  clear(): void;
  /**
   * Show art file `name` from the art dir in the caller's encoding. A missing or broken
   * file logs a warning and prints `fallback` (or the name) instead. With `baud`, the
   * art is drawn at that modem speed (110-115200); a key shows the rest at once and
   * stays in the input for the next read. With `drawIf`, nothing is sent unless it still
   * says true once the art is read (a screen drawn again is dropped when something else
   * took the screen meanwhile).
   */
  art(name: string, opts?: ArtOptions): Promise<void>;
  /**
   * Art `name` as rows to draw above a full-screen view (who's online and chat use their
   * art this way): each row self-contained, colours included. Null when there is no such
   * art or it moves the cursor (it can only be shown as a whole screen, with art()).
   */
  artRows(name: string): Promise<string[] | null>;

  // ---- input ----
  /**
   * The next key: a printable character as itself, else its name ('enter', 'escape',
   * 'backspace', 'up', 'f1', 'ctrl-c', 'alt-x' …). Rejects with TimeoutError after
   * `timeoutMs` and with ConnectionClosedError when the caller is gone.
   */
  readKey(opts?: { timeoutMs?: number }): Promise<string>;
  /** The next key as the terminal package's Key object (name, ch, ctrl, alt, shift, raw). */
  readKeyEvent(opts?: { timeoutMs?: number }): Promise<Key>;
  /**
   * Read a line with editing (left/right, home/end, backspace, ^U, history on up/down)
   * where the cursor stands, and return it when Enter is pressed (which moves to the
   * next line).
   */
  readLine(opts?: ReadLineOptions): Promise<string>;
  /** Show `prompt`, wait for any key, erase the prompt; returns the key. */
  pause(prompt?: string): Promise<string>;
  /**
   * Show `text` a screenful at a time, with a more-prompt on the last row of the
   * caller's screen (Space page, Enter line, C continuous, Q quit). Lines are wrapped to
   * the caller's width; escape sequences and controls in the text are dropped, pipe
   * codes rendered with `pipeCodes: true`. True when the caller read to the end.
   */
  pager(text: string, opts?: PagerOptions): Promise<boolean>;
  /**
   * A selectable list drawn where the cursor stands: arrows, Home/End and PgUp/PgDn move,
   * Enter or an item's `key` picks, Escape or ^C gives up. The index picked, or undefined.
   */
  lightbar(items: readonly (string | LightbarItem)[], opts?: LightbarOptions): Promise<number | undefined>;
  /**
   * A full-screen view (blessed) on this caller's terminal. Build widgets with
   * `parent: view.screen`, call `view.close(value)` when done and await `view.result`.
   * While it is open, keys go to the view, not to readKey(). It is closed for the
   * script when the script ends, and for the caller when they hang up (result rejects).
   */
  view<T = unknown>(opts?: ViewOptions): SessionView<T>;
  /**
   * `promise`, unless the caller leaves first: then a ConnectionClosedError, so a script
   * waiting on something that may never come (another caller, a bus event) unwinds.
   */
  until<T>(promise: Promise<T>): Promise<T>;
  /** Throw away keys typed ahead (before a password prompt, say); returns how many. */
  discardInput(): number;
  /**
   * Hold this caller's key input (a door or another program reads the connection
   * itself): no key is queued for the script and no chat or page notice interrupts
   * while held. Returns the release; holds nest.
   */
  holdInput(): () => void;
  /**
   * Send the connection's raw input bytes to `sink` instead of the key decoder (a file
   * transfer); the idle clock still counts them. Returns the restore. One sink at a time,
   * and none while a door holds the input: both throw InputBusyError. `abort` is what ends
   * the caller's side of it (a ZMODEM abort): a hang-up meanwhile (a kick, a shutdown, a
   * time limit) sends it before its last line, so the caller's terminal leaves the
   * transfer and shows that line instead of taking it for data. `holder` names the taker in
   * the InputBusyError of whoever asks next (default 'a file transfer').
   */
  takeRawInput(sink: (bytes: Buffer) => void, abort?: Buffer, holder?: InputHolder): () => void;
  /**
   * Resolves once nothing has the raw input: the sysop's break-in chat, begun while this
   * script was getting ready for a transfer or a door, has ended (at once when none runs).
   * Call takeRawInput or holdInput in the same turn. Rejects with ConnectionClosedError
   * when the caller leaves first.
   */
  whenInputFree(): Promise<void>;
  /** Call `fn(cols, rows)` when the caller's window changes size; returns the unsubscribe. */
  onResize(fn: (cols: number, rows: number) => void): () => void;

  // ---- users ----
  /** Check a handle and password against the user store; the User, or null. */
  authenticate(handle: string, password: string): Promise<User | null>;
  /**
   * Tell the board a login name was typed, before asking for the password. The board's
   * policy may hold the caller a moment (repeated failures) or hang up (a bot-trap word,
   * a banned source, or a policy that cannot be consulted); then this rejects with
   * ConnectionClosedError, like hangup().
   */
  checkLoginName(name: string): Promise<void>;
  /** Would this handle be accepted at sign-up? `{ ok, handle }` or `{ ok: false, reason }`. */
  checkHandle(handle: string): HandleValidation;
  /** Would this password be accepted (optionally for this handle)? `{ ok, value }` or `{ ok: false, reason }`. */
  checkPassword(password: string, handle?: string): Validation<string>;
  /**
   * Whether the board lets this caller apply for an account now (new accounts are
   * limited per address and per network); when not, the refusal has been shown. Ask
   * before the application's questions.
   */
  newAccountAllowed(): Promise<boolean>;
  /**
   * Create an account; null when the handle was taken meanwhile. Other problems throw
   * VALIDATION. The account quota is checked again here: over it, the call ends.
   */
  createUser(input: NewUser): Promise<User | null>;
  /**
   * The caller is now `user`: counts the login, opens the call record, shows the handle
   * in who's-online and stops the login timer.
   */
  login(user: User): Promise<void>;
  /**
   * Reads the caller's account again, so a level a sysop changed since the login counts
   * now (the menu does before each choice, the sysop console while it is open); `user` is
   * the fresh account after it. Undefined when the account is gone or nobody is logged in.
   */
  refreshUser(): Promise<User | undefined>;

  // ---- scripts ----
  /** Replace the running script with `name` (use as `return s.goto('x')`); never returns. */
  goto(name: string, ...args: unknown[]): Promise<never>;
  /** Run script `name` on top of this one and return its result (undefined if it failed). */
  gosub(name: string, ...args: unknown[]): Promise<unknown>;
  /** End the call: the connection closes, pending reads reject, the stack unwinds. */
  hangup(reason?: string): Promise<never>;

  // ---- presence and the bus ----
  /** Set what who's-online shows this caller doing (cleaned of controls, 60 characters at most). */
  setActivity(text: string): void;
  /** Everyone online on the whole board (all processes). */
  who(): Promise<PresenceEntry[]>;
  /** Subscribe to a bus topic for the rest of this session; returns the unsubscribe. */
  subscribe<T extends Topic>(topic: T, handler: TopicHandler<T>): Unsubscribe;
}
