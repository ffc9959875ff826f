import { randomBytes } from 'node:crypto';
import {
  CarrierError,
  client,
  ConnectionClosedError,
  ErrorCodes,
  isCarrierError,
  type Connection,
  type Logger,
  type TerminalInfo,
} from '@carrier/core';
import { LineEditor, loadArt, probeTerminal, renderPipeCodes, type Key, type ViewOptions } from '@carrier/terminal';
import {
  validateHandle,
  validatePassword,
  type HandleValidation,
  type NewUser,
  type Store,
  type User,
  type Validation,
} from '@carrier/store';
import type { Board, BoardConfig } from './board.js';
import type { Bus, TopicHandler, Unsubscribe } from './bus.js';
import { CursorColumn } from './cursor-column.js';
import { Deadline } from './deadline.js';
import { KeyInput, keyName } from './key-input.js';
import type { PresenceEntry } from './presence.js';
import type { ScriptFunction, ScriptLoader } from './script-loader.js';
import { ScriptStack } from './script-stack.js';
import type { Topic } from './topics.js';
import { MAX_BAUD, MIN_BAUD, playAtBaud } from './baud.js';
import { runLightbar, type LightbarItem, type LightbarOptions } from './lightbar.js';
import { runMenu, type MenuRunnerDeps } from './menu/runner.js';
import { MENU_PREFIX } from './menu/types.js';
import { runPager, type PagerOptions } from './pager.js';
import { openSessionView, type SessionView } from './session-view.js';
import type { BoardSocial } from './social/board-social.js';
import { SessionSocial } from './social/session-social.js';
import { answerInvitation } from './social/split-chat.js';
import { MAX_GUARD_DELAY_MS, type LoginAttempt, type LoginEvent, type LoginGuard, type LoginVerdict } from './login-guard.js';

/** What the board hands each session it attaches. */
export interface SessionContext {
  board: Board;
  config: Readonly<BoardConfig>;
  loader: ScriptLoader;
  artDir: string;
  processId: string;
  log: Logger;
  /** true the first time a key is seen board-wide: one warning per missing art file, not one per caller */
  firstTime(key: string): boolean;
  /** the session ended and its bookkeeping is done */
  ended(session: Session): void;
  /** this process's social layer: routes pages and chat requests here, mutes, flood control */
  social: BoardSocial;
  /** the board's menus, run as `menu:<name>` on the script stack; none when the board has no menus folder */
  menus?: MenuRunnerDeps | undefined;
  /** the board's login policy (bot trap, penalties, audit), if any */
  loginGuard?: LoginGuard | undefined;
}

export interface ReadLineOptions {
  /** echo this character instead of what is typed (passwords) */
  mask?: string;
  maxLength?: number;
  /** text already in the line when the prompt appears */
  default?: string;
  /** earlier answers, oldest first, reachable with up/down (not for masked fields) */
  history?: readonly string[];
}

/**
 * who's-online shows idle minutes; republishing presence on every keystroke would
 * flood a Redis bus, so input refreshes lastInputAt at most this often.
 */
const PRESENCE_INPUT_REFRESH_MS = 15_000;
/** Resize storms (NAWS floods, window drags) become one presence update. */
const PRESENCE_COALESCE_MS = 1_000;
/** C0/C1 controls (escape sequences), DEL, and bidi overrides that reorder a screen line. */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const CLEAR_SCREEN = '\x1b[2J\x1b[H';
const CLEAR_LINE = '\r\x1b[K';

/**
 * One caller's visit: the connection, the user once logged in, the node, the script
 * stack, presence and timers. Board scripts receive it as `s`.
 */
export class Session {
  /** Unique id of this session across the board; sysop tools address sessions by it. */
  readonly id: string;
  /** The caller's negotiated connection (terminal, identity, loginHint, raw events). */
  readonly conn: Connection;
  /** The board's database: users, calls. */
  readonly store: Store;
  /** The board's bus: topics and presence. */
  readonly bus: Bus;
  /** The board: name, config, sessions(). */
  readonly board: Board;
  /** When the session started, ms since the epoch. */
  readonly startedAt = Date.now();
  /** Resolves once the session has ended and its presence and call record are cleaned up. */
  readonly done: Promise<void>;
  /** Chat room, do-not-disturb, notices (pages, broadcasts) and chat requests (social/session-social.ts). */
  readonly social: SessionSocial;

  private readonly ctx: SessionContext;
  private nodeNumber = 0;
  private currentUser: User | undefined;
  private logger: Logger;
  private readonly input: KeyInput;
  private readonly column = new CursorColumn();
  private readonly stack: ScriptStack<Session>;
  private readonly idleDeadline: Deadline;
  private loginDeadline: Deadline | undefined;
  /** the absolute timeout: input does not push it back */
  private readonly lifetime: Deadline;
  /** the login name the guard last let through to the password prompt */
  private screenedName: string | undefined;
  /** how the user about to log in proved who they are, for the guard's loggedIn */
  private provenBy: { userId: number; via: LoginEvent['via'] } | undefined;
  private activityText = 'connecting';
  private lastInputAt: number;
  private lastPresenceAt = 0;
  private presenceTimer: NodeJS.Timeout | undefined;
  private callId: number | undefined;
  private endedWith: string | undefined;
  private resolveDone!: () => void;
  private readonly listeners: Array<{ event: 'data' | 'resize' | 'close'; fn: (...args: any[]) => void }> = [];
  private readonly subscriptions = new Set<Unsubscribe>();
  /** presence and call-record writes, in order, so a hang-up during login cannot leave a call open */
  private ledger: Promise<unknown> = Promise.resolve();
  /** open full-screen views, with the stack depth of the script that opened each */
  private readonly views = new Set<{ depth: number; end(why: 'script ended' | 'hangup'): void }>();
  /** until() calls waiting, released when the session ends */
  private readonly endWaiters = new Set<(err: ConnectionClosedError) => void>();

  /** @internal Boards create sessions with `board.attach(conn)`. */
  constructor(conn: Connection, ctx: SessionContext) {
    this.id = `s-${randomBytes(6).toString('hex')}`;
    this.conn = conn;
    this.ctx = ctx;
    this.board = ctx.board;
    this.store = ctx.board.store;
    this.bus = ctx.board.bus;
    this.logger = ctx.log.child({ session: this.id, conn: conn.id });
    this.lastInputAt = Date.now();
    this.done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    this.input = new KeyInput(conn.terminal.encoding, this.log, ctx.config.keyRate);
    const self = this;
    this.stack = new ScriptStack<Session>({
      session: this,
      get log() {
        return self.logger;
      },
      load: (name) => this.loadFrame(name),
      isClosed: () => this.closed,
      inputCount: () => this.input.delivered,
      apologize: (text) => this.write(`\r\n${text}\r\n`),
    });
    this.idleDeadline = new Deadline(ctx.config.idleTimeoutMs, () => this.expire('Idle timeout: goodbye.', 'idle timeout'));
    this.loginDeadline = new Deadline(ctx.config.loginTimeoutMs, () => this.expire('Login timeout: goodbye.', 'login timeout'));
    this.lifetime = new Deadline(ctx.config.maxDurationMs, () => this.expire('Time limit reached: goodbye.', 'session time limit'));
    this.social = new SessionSocial(
      {
        get closed() {
          return self.closed;
        },
        get log() {
          return self.logger;
        },
        write: (text) => this.write(text),
        viewOpen: () => this.views.size > 0,
        presenceChanged: () => this.publishPresence(),
        answer: (invitation) => answerInvitation(this, invitation),
      },
      ctx.social,
    );
    this.listen('close', (reason: string) => this.end(typeof reason === 'string' ? reason : 'closed'));
    if (conn.closed) this.end('closed before the session started');
  }

  /** Node number on the board (lowest free, reused after hang-up); 0 until claimed at start. */
  get node(): number {
    return this.nodeNumber;
  }

  /** The logged-in user (set by login()), or undefined while logging in. */
  get user(): User | undefined {
    return this.currentUser;
  }

  /** Structured logger with this session's id, conn id, node and handle on every line. */
  get log(): Logger {
    return this.logger;
  }

  /** The caller's terminal: type, cols, rows, encoding (updated on resize). */
  get terminal(): Readonly<TerminalInfo> {
    return this.conn.terminal;
  }

  /** True once the caller is gone (or hung up); every read then rejects with ConnectionClosedError. */
  get closed(): boolean {
    return this.endedWith !== undefined;
  }

  /** Why the session ended, once it has. */
  get endReason(): string | undefined {
    return this.endedWith;
  }

  /** What who's-online shows this caller doing. */
  get activity(): string {
    return this.activityText;
  }

  /** Names of the running scripts, bottom of the stack first. */
  get scripts(): string[] {
    return this.stack.names();
  }

  // ---- output ------------------------------------------------------------------------

  /** Send Unicode text as it is (the connection encodes it for the terminal). */
  write(text: string): void {
    this.column.advance(text);
    this.social.line.wrote(text);
    this.conn.write(text);
  }

  /** Send text with pipe codes (|07, |15 …) rendered and `\n` turned into `\r\n`. */
  print(text: string): void {
    this.write(renderPipeCodes(text).replace(/\r?\n/g, '\r\n'));
  }

  /** print() followed by a new line. */
  println(text = ''): void {
    this.print(`${text}\n`);
  }

  /** Clear the screen and home the cursor. */
  clear(): void {
    this.write(CLEAR_SCREEN);
  }

  /**
   * Show art file `name` from the art dir in the caller's encoding. A missing or broken
   * file logs a warning and prints `fallback` (or the name) instead. With `baud`, the
   * art is drawn at that modem speed (110-115200); a key shows the rest at once and
   * stays in the input for the next read.
   */
  async art(name: string, opts: { fallback?: string; baud?: number } = {}): Promise<void> {
    const { baud } = opts;
    if (baud !== undefined && !(Number.isFinite(baud) && baud >= MIN_BAUD && baud <= MAX_BAUD)) {
      throw new CarrierError(ErrorCodes.VALIDATION, `baud must be from ${MIN_BAUD} to ${MAX_BAUD} (got ${baud})`);
    }
    const term = this.conn.terminal;
    let art: Awaited<ReturnType<typeof loadArt>>;
    try {
      art = await loadArt(this.ctx.artDir, name, { encoding: term.encoding, cols: term.cols });
    } catch (err) {
      if (this.ctx.firstTime(`art.invalid:${name}`)) this.log.warn('art.invalid', { name, err });
      this.artFallback(name, opts.fallback);
      return;
    }
    if (!art) {
      if (this.ctx.firstTime(`art.missing:${name}`)) this.log.warn('art.missing', { name });
      this.artFallback(name, opts.fallback);
      return;
    }
    this.column.forget();
    this.social.line.lost();
    if (baud === undefined) {
      this.conn.writeBytes(art.bytes);
      return;
    }
    const mark = this.input.delivered + this.input.queued;
    await playAtBaud(art.bytes, baud, {
      write: (bytes) => this.conn.writeBytes(bytes),
      interrupted: () => this.input.delivered + this.input.queued > mark,
      closed: () => this.closed,
    });
  }

  private artFallback(name: string, fallback: string | undefined): void {
    this.println(fallback ?? name);
    this.println();
  }

  // ---- input -------------------------------------------------------------------------

  /**
   * The next key: a printable character as itself, else its name ('enter', 'escape',
   * 'backspace', 'up', 'f1', 'ctrl-c', 'alt-x' …). Rejects with TimeoutError after
   * `timeoutMs` and with ConnectionClosedError when the caller is gone.
   */
  async readKey(opts: { timeoutMs?: number } = {}): Promise<string> {
    return keyName(await this.readKeyEvent(opts));
  }

  /** The next key as the terminal package's Key object (name, ch, ctrl, alt, shift, raw). */
  readKeyEvent(opts: { timeoutMs?: number } = {}): Promise<Key> {
    return this.input.read(opts.timeoutMs);
  }

  /**
   * Read a line with editing (left/right, home/end, backspace, ^U, history on up/down)
   * where the cursor stands, and return it when Enter is pressed (which moves to the
   * next line).
   */
  async readLine(opts: ReadLineOptions = {}): Promise<string> {
    const screen = this.conn.terminal.cols;
    const editor = new LineEditor({
      // A script cannot lift the board's cap: a line is bounded wherever a caller types.
      maxLength: Math.min(opts.maxLength ?? 80, this.ctx.config.maxLineLength),
      // The field ends before the right edge: columns left after the prompt.
      cols: Math.max(2, screen - ((this.column.value ?? 0) % screen)),
      ...(opts.mask !== undefined ? { mask: opts.mask } : {}),
      ...(opts.default !== undefined ? { default: opts.default } : {}),
      ...(opts.history !== undefined ? { history: opts.history } : {}),
    });
    this.social.editing(editor);
    this.write(editor.start());
    for (;;) {
      const key = await this.input.read();
      const step = editor.feed(key);
      if (step.output) this.write(step.output);
      if (step.done) {
        this.social.editing(undefined);
        this.write('\r\n');
        return step.cancelled ? '' : (step.value ?? '');
      }
    }
  }

  /** Show `prompt`, wait for any key, erase the prompt; returns the key. */
  async pause(prompt = '|08[|07press a key|08]'): Promise<string> {
    this.print(prompt);
    const key = await this.readKey();
    this.write(`${CLEAR_LINE}${renderPipeCodes('|07')}`);
    return key;
  }

  /**
   * Show `text` a screenful at a time, with a more-prompt on the last row of the
   * caller's screen (Space page, Enter line, C continuous, Q quit). Lines are wrapped to
   * the caller's width; escape sequences and controls in the text are dropped, pipe
   * codes rendered with `pipeCodes: true`. True when the caller read to the end.
   */
  pager(text: string, opts: PagerOptions = {}): Promise<boolean> {
    return runPager({ write: (t) => this.write(t), readKey: () => this.readKey(), size: () => this.conn.terminal }, text, opts);
  }

  /**
   * A selectable list drawn where the cursor stands: arrows, Home/End and PgUp/PgDn move,
   * Enter or an item's `key` picks, Escape or ^C gives up. The index picked, or undefined.
   */
  lightbar(items: readonly (string | LightbarItem)[], opts: LightbarOptions = {}): Promise<number | undefined> {
    return runLightbar({ write: (t) => this.write(t), readKey: () => this.readKey(), size: () => this.conn.terminal }, items, opts);
  }

  /**
   * A full-screen view (blessed) on this caller's terminal. Build widgets with
   * `parent: view.screen`, call `view.close(value)` when done and await `view.result`.
   * While it is open, keys go to the view, not to readKey(). It is closed for the
   * script when the script ends, and for the caller when they hang up (result rejects).
   */
  view<T = unknown>(opts: ViewOptions = {}): SessionView<T> {
    this.ensureOpen();
    const entry = { depth: this.stack.depth, end: (_why: 'script ended' | 'hangup'): void => undefined };
    const handle = openSessionView<T>(this.conn, opts, () => {
      this.views.delete(entry);
      this.column.forget();
      this.social.viewClosed();
    });
    entry.end = handle.end;
    this.views.add(entry);
    return handle.view;
  }

  /**
   * `promise`, unless the caller leaves first: then a ConnectionClosedError, so a script
   * waiting on something that may never come (another caller, a bus event) unwinds.
   */
  until<T>(promise: Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ConnectionClosedError(this.endedWith ?? 'closed'));
    return new Promise<T>((resolve, reject) => {
      this.endWaiters.add(reject);
      promise.then(
        (value) => {
          this.endWaiters.delete(reject);
          resolve(value);
        },
        (err: unknown) => {
          this.endWaiters.delete(reject);
          reject(err);
        },
      );
    });
  }

  /** Throw away keys typed ahead (before a password prompt, say); returns how many. */
  discardInput(): number {
    return this.input.discard();
  }

  /** Call `fn(cols, rows)` when the caller's window changes size; returns the unsubscribe. */
  onResize(fn: (cols: number, rows: number) => void): () => void {
    return this.listen('resize', fn);
  }

  // ---- users -------------------------------------------------------------------------

  /** Check a handle and password against the user store; the User, or null. */
  async authenticate(handle: string, password: string): Promise<User | null> {
    // A script that skipped checkLoginName still goes through the board's policy.
    if (this.screenedName !== handle) await this.checkLoginName(handle);
    this.screenedName = undefined;
    const user = await this.store.users.authenticate(handle, password);
    if (!user) this.log.info('login.failed', { handle: client(handle) });
    else this.provenBy = { userId: user.id, via: 'password' };
    await this.obey('passwordChecked', (g) => g.passwordChecked({ ...this.loginAttempt(handle), ok: user !== null }));
    return user;
  }

  /**
   * Tell the board a login name was typed, before asking for the password. The board's
   * policy may hold the caller a moment (repeated failures) or hang up (a bot-trap word,
   * a banned source); then this rejects with ConnectionClosedError, like hangup().
   */
  async checkLoginName(name: string): Promise<void> {
    this.ensureOpen();
    await this.obey('nameEntered', (g) => g.nameEntered(this.loginAttempt(name)));
    this.screenedName = name;
  }

  private loginAttempt(name: string): LoginAttempt {
    return { name, remoteAddress: this.conn.remoteAddress, protocol: this.conn.terminal.protocol, sessionId: this.id, connId: this.conn.id };
  }

  /** Ask the guard and do what it says. A guard that throws is logged and let through. */
  private async obey(step: string, ask: (guard: LoginGuard) => LoginVerdict | Promise<LoginVerdict>): Promise<void> {
    const guard = this.ctx.loginGuard;
    if (!guard) return;
    let verdict: LoginVerdict;
    try {
      verdict = await ask(guard);
    } catch (err) {
      this.log.error('login.guard_failed', { step, err });
      return;
    }
    this.ensureOpen();
    if (verdict.hangup) {
      if (verdict.hangup.message) this.write(`\r\n${verdict.hangup.message.replace(UNSAFE_TEXT, '')}\r\n`);
      await this.hangup(verdict.hangup.reason);
    }
    const ms = Math.min(Math.max(verdict.delayMs ?? 0, 0), MAX_GUARD_DELAY_MS);
    if (ms > 0) {
      await new Promise<void>((resolve) => setTimeout(resolve, ms));
      this.ensureOpen();
    }
  }

  /** Would this handle be accepted at sign-up? `{ ok, handle }` or `{ ok: false, reason }`. */
  checkHandle(handle: string): HandleValidation {
    return validateHandle(handle);
  }

  /** Would this password be accepted (optionally for this handle)? `{ ok, value }` or `{ ok: false, reason }`. */
  checkPassword(password: string, handle?: string): Validation<string> {
    return validatePassword(password, handle);
  }

  /** Create an account; null when the handle was taken meanwhile. Other problems throw VALIDATION. */
  async createUser(input: NewUser): Promise<User | null> {
    try {
      const user = await this.store.users.create(input);
      this.log.info('user.created', { handle: client(user.handle), userId: user.id });
      this.provenBy = { userId: user.id, via: 'new-user' };
      return user;
    } catch (err) {
      if (isCarrierError(err, ErrorCodes.DUPLICATE)) return null;
      throw err;
    }
  }

  /**
   * The caller is now `user`: counts the login, opens the call record, shows the handle
   * in who's-online and stops the login timer.
   */
  async login(user: User): Promise<void> {
    this.ensureOpen();
    this.loginDeadline?.cancel();
    this.loginDeadline = undefined;
    this.currentUser = user;
    this.logger = this.logger.child({ user: client(user.handle) });
    const term = this.conn.terminal;
    await this.record(async () => {
      if (this.callId !== undefined) await this.store.calls.end(this.callId, 'logged in again');
      this.callId = undefined;
      // One transaction: a database failing halfway never leaves a counted login without its call.
      this.callId = await this.store.logins.record({
        userId: user.id,
        handle: user.handle,
        protocol: term.protocol,
        remoteAddress: this.conn.remoteAddress,
        node: this.node,
      });
    });
    this.log.info('session.login', { userId: user.id });
    // Admission stops counting this socket as a start-up (MaxStartups).
    this.conn.markAuthenticated();
    this.tellGuardLoggedIn(user);
    this.publishPresence();
  }

  private tellGuardLoggedIn(user: User): void {
    const proven = this.provenBy?.userId === user.id ? this.provenBy.via : undefined;
    const identity = this.conn.identity;
    const via = proven ?? (identity && identity.user.toLowerCase() === user.handle.toLowerCase() ? identity.via : 'script');
    this.provenBy = undefined;
    try {
      this.ctx.loginGuard?.loggedIn?.({
        handle: user.handle,
        userId: user.id,
        remoteAddress: this.conn.remoteAddress,
        protocol: this.conn.terminal.protocol,
        sessionId: this.id,
        via,
      });
    } catch (err) {
      this.log.error('login.guard_failed', { step: 'loggedIn', err });
    }
  }

  // ---- scripts -----------------------------------------------------------------------

  /** Replace the running script with `name` (use as `return s.goto('x')`); never returns. */
  goto(name: string, ...args: unknown[]): Promise<never> {
    return this.stack.goto(name, args);
  }

  /** Run script `name` on top of this one and return its result (undefined if it failed). */
  async gosub(name: string, ...args: unknown[]): Promise<unknown> {
    this.ensureOpen();
    return this.stack.gosub(name, args);
  }

  /** End the call: the connection closes, pending reads reject, the stack unwinds. */
  hangup(reason = 'hangup'): Promise<never> {
    if (!this.closed) {
      this.log.info('session.hangup', { reason: client(reason) });
      this.conn.close(reason);
      this.end(reason);
    }
    const p = Promise.reject(new ConnectionClosedError(this.endedWith ?? reason));
    p.catch(() => undefined);
    return p;
  }

  // ---- presence and the bus ----------------------------------------------------------

  /** Set what who's-online shows this caller doing. */
  setActivity(text: string): void {
    const clean = text.replace(UNSAFE_TEXT, '').slice(0, 60);
    if (clean === this.activityText) return;
    this.activityText = clean;
    this.publishPresence();
  }

  /** Everyone online on the whole board (all processes). */
  who(): Promise<PresenceEntry[]> {
    return this.bus.presence.snapshot();
  }

  /** Subscribe to a bus topic for the rest of this session; returns the unsubscribe. */
  subscribe<T extends Topic>(topic: T, handler: TopicHandler<T>): Unsubscribe {
    if (this.closed) return () => undefined;
    const off = this.bus.subscribe(topic, handler);
    const unsubscribe = (): void => {
      if (this.subscriptions.delete(unsubscribe)) off();
    };
    this.subscriptions.add(unsubscribe);
    return unsubscribe;
  }

  /** @internal Show a one-line message from someone else (sysop, board) without breaking the screen or the line being typed. */
  deliverMessage(from: string, text: string): void {
    this.social.notify({ kind: 'message', from, text, at: Date.now() });
  }

  /** @internal A sysop action or a shutdown ends this session with a last line. */
  disconnect(reason: string, text: string): void {
    if (this.closed) return;
    this.write(`\r\n${text.replace(UNSAFE_TEXT, '')}\r\n`);
    void this.hangup(reason);
  }

  // ---- life cycle --------------------------------------------------------------------

  /** @internal The board runs this once: probe, node, first script, hang-up. Never rejects. */
  async run(): Promise<void> {
    try {
      const leftover = await this.prepareTerminal();
      if (this.closed) return;
      this.listen('data', (bytes: Buffer) => this.onInput(bytes));
      this.listen('resize', (cols: number, rows: number) => {
        this.logger.debug('session.resize', { cols, rows });
        this.schedulePresence();
      });
      if (leftover.length > 0) this.onInput(leftover);
      const node = await this.record(() => this.bus.presence.claimNode(this.id));
      if (this.closed) return;
      this.nodeNumber = node;
      this.logger = this.logger.child({ node });
      this.publishPresence();
      let first = await this.firstScript();
      if (this.closed) return;
      for (;;) {
        const outcome = await this.stack.run(first, []);
        if (this.closed) return;
        // The ssh `new` caller who finished the application goes on into the board.
        if (outcome.ok && first === 'newuser' && this.user && first !== this.ctx.config.authenticatedScript) {
          first = this.ctx.config.authenticatedScript;
          continue;
        }
        void this.hangup(outcome.ok ? 'script ended' : 'script error');
        return;
      }
    } catch (err) {
      if (this.closed || isCarrierError(err, ErrorCodes.CONNECTION_CLOSED)) return;
      this.log.error('session.failed', { err });
      void this.hangup('session error');
    }
  }

  private async prepareTerminal(): Promise<Buffer> {
    const term = this.conn.terminal;
    const size = term.sizeSource === 'default';
    const encoding = term.encodingSource === 'default';
    // Nothing negotiated and no TTYPE/env: a raw socket or a script. Probing it only
    // delays the first screen and prints cursor noise into a log.
    const silent = term.types.length === 0 && Object.keys(term.env).length === 0;
    let leftover: Buffer = Buffer.alloc(0);
    if ((size || encoding) && !silent) {
      try {
        const result = await probeTerminal(this.conn, { size, encoding, timeoutMs: this.ctx.config.probeTimeoutMs });
        leftover = result.leftover;
        this.log.debug('session.probed', { cols: result.cols, rows: result.rows, encoding: result.encoding });
      } catch (err) {
        if (this.closed) return leftover;
        this.log.warn('session.probe_failed', { err });
      }
    }
    const fallback = this.ctx.config.defaultEncoding;
    if (fallback && this.conn.terminal.encodingSource === 'default' && this.conn.terminal.encoding !== fallback) {
      this.conn.setEncoding(fallback, 'config');
    }
    return leftover;
  }

  private async firstScript(): Promise<string> {
    const { config } = this.ctx;
    if (this.conn.wantsNewUser) return 'newuser';
    const identity = this.conn.identity;
    if (identity) {
      const user = await this.store.users.findByHandle(identity.user);
      if (user) {
        await this.login(user);
        return config.authenticatedScript;
      }
      this.log.warn('session.identity_unknown', { user: client(identity.user), via: identity.via });
    }
    return config.startScript;
  }

  private onInput(bytes: Buffer): void {
    const now = Date.now();
    this.lastInputAt = now;
    this.idleDeadline.touch();
    // A full-screen view reads the keys itself; queueing them too would replay them later.
    if (this.views.size === 0 && !this.social.intercept(bytes)) this.input.push(bytes, this.conn.terminal.encoding);
    if (now - this.lastPresenceAt >= PRESENCE_INPUT_REFRESH_MS) this.schedulePresence();
  }

  private expire(text: string, reason: string): void {
    if (this.closed) return;
    this.write(`\r\n${text}\r\n`);
    void this.hangup(reason);
  }

  private end(reason: string): void {
    if (this.endedWith !== undefined) return;
    this.endedWith = reason;
    this.input.close(new ConnectionClosedError(reason));
    for (const view of [...this.views]) view.end('hangup');
    this.social.close();
    for (const release of [...this.endWaiters.values()]) release(new ConnectionClosedError(reason));
    this.endWaiters.clear();
    this.idleDeadline.cancel();
    this.lifetime.cancel();
    this.loginDeadline?.cancel();
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    for (const { event, fn } of this.listeners.splice(0)) this.conn.off(event, fn);
    for (const unsubscribe of [...this.subscriptions]) unsubscribe();
    void this.record(async () => {
      if (this.callId !== undefined) {
        try {
          await this.store.calls.end(this.callId, reason);
        } catch (err) {
          this.log.error('session.call_end_failed', { err });
        }
      }
      try {
        await this.bus.presence.remove(this.id);
      } catch (err) {
        this.log.error('session.presence_remove_failed', { err });
      }
    }).finally(() => {
      this.log.info('session.end', { reason: client(reason), durationMs: Date.now() - this.startedAt });
      this.ctx.ended(this);
      this.resolveDone();
    });
  }

  private publishPresence(): void {
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = undefined;
    if (this.closed || this.node === 0) return;
    this.lastPresenceAt = Date.now();
    const entry = this.presenceEntry();
    void this.record(async () => {
      if (this.closed) return;
      await this.bus.presence.update(entry);
    }).catch((err: unknown) => this.log.error('session.presence_update_failed', { err }));
  }

  private schedulePresence(): void {
    if (this.presenceTimer || this.closed) return;
    this.presenceTimer = setTimeout(() => this.publishPresence(), PRESENCE_COALESCE_MS);
    this.presenceTimer.unref();
  }

  private presenceEntry(): PresenceEntry {
    const t = this.conn.terminal;
    return {
      sessionId: this.id,
      node: this.node,
      handle: this.user?.handle ?? null,
      protocol: t.protocol,
      activity: this.activityText,
      connectedAt: this.conn.connectedAt,
      lastInputAt: this.lastInputAt,
      remoteAddress: this.conn.remoteAddress,
      terminal: { type: t.type, cols: t.cols, rows: t.rows, encoding: t.encoding },
      processId: this.ctx.processId,
      ...this.social.presenceFields(),
    };
  }

  /** Presence and call-record writes run one after another, in the order asked. */
  private record<T>(op: () => Promise<T>): Promise<T> {
    const next = this.ledger.then(op);
    this.ledger = next.catch(() => undefined);
    return next;
  }

  private listen(event: 'data' | 'resize' | 'close', fn: (...args: any[]) => void): () => void {
    if (this.closed) return () => undefined;
    const entry = { event, fn };
    this.listeners.push(entry);
    this.conn.on(event as 'data', fn);
    return () => {
      const i = this.listeners.indexOf(entry);
      if (i >= 0) {
        this.listeners.splice(i, 1);
        this.conn.off(event, fn);
      }
    };
  }

  /** What the stack runs for `name`: menu `menu:<name>` or a script, closing the views it opened when it ends. */
  private async loadFrame(name: string): Promise<ScriptFunction> {
    let fn: ScriptFunction;
    if (name.startsWith(MENU_PREFIX)) {
      const menus = this.ctx.menus;
      if (!menus) throw new CarrierError(ErrorCodes.NOT_FOUND, `this board has no menus (asked for ${name})`);
      const menu = name.slice(MENU_PREFIX.length);
      fn = (s: Session) => runMenu(s, menu, menus);
    } else {
      fn = await this.ctx.loader.load(name);
    }
    return async (s: Session, ...args: unknown[]) => {
      const depth = this.stack.depth;
      try {
        return await fn(s, ...args);
      } finally {
        for (const view of [...this.views]) if (view.depth >= depth) view.end('script ended');
      }
    };
  }

  private ensureOpen(): void {
    if (this.closed) throw new ConnectionClosedError(this.endedWith ?? 'closed');
  }
}
