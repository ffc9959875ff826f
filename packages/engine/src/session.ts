import { randomBytes } from 'node:crypto';
import { client, ConnectionClosedError, ErrorCodes, isCarrierError, type Connection, type Logger, type TerminalInfo } from '@carrier/core';
import type { Key, ViewOptions } from '@carrier/terminal';
import type { HandleValidation, NewUser, Store, User, Validation } from '@carrier/store';
import type { LiveSession } from './board-types.js';
import type { Bus, TopicHandler, Unsubscribe } from './bus.js';
import type { SpyOutput } from './draw-again.js';
import { Deadline, type DeadlineWarning } from './deadline.js';
import { KeyInput } from './key-input.js';
import type { LightbarItem, LightbarOptions } from './lightbar.js';
import { wrapLine, type PagerOptions } from './pager.js';
import type { PresenceEntry } from './presence.js';
import { ScriptStack } from './script-stack.js';
import type { ArtOptions, ReadLineOptions, ScriptBoard, Session } from './session-api.js';
import type { SessionView } from './session-view.js';
import { part, SessionHost, type SessionContext } from './session/context.js';
import { accountNotices } from './session/account-notices.js';
import { DisposerStack } from './session/disposers.js';
import { idleWarning, lastLine } from './session/farewell.js';
import { loadFrame } from './session/frames.js';
import { InputRouter, type InputHolder } from './session/input-router.js';
import { LoginFlow } from './session/login-flow.js';
import { PresencePublisher } from './session/presence-publisher.js';
import { Screen } from './session/screen.js';
import { prepareTerminal } from './session/terminal-setup.js';
import { untilEnd, Widgets } from './session/widgets.js';
import { SessionSocial, type Invitation } from './social/session-social.js';
import { PASTE_STOPPED } from './social/notice.js';
import { answerInvitation } from './social/split-chat.js';
import type { Topic, UserChanged } from './topics.js';

/**
 * One caller's visit: a thin facade over its parts (session/*: Screen, Widgets,
 * LoginFlow, PresencePublisher, DisposerStack). Scripts see it through the `Session`
 * interface (session-api.ts); the board holds it as a LiveSession and runs it.
 */
export class CallSession implements LiveSession {
  readonly id = `s-${randomBytes(6).toString('hex')}`;
  readonly startedAt = Date.now();
  readonly store: Store;
  readonly bus: Bus;
  readonly board: ScriptBoard;
  readonly done: Promise<void>;
  readonly social: SessionSocial;
  private logger: Logger;
  private endedWith: string | undefined;
  private resolveDone!: () => void;
  private readonly disposers: DisposerStack;
  private readonly input: KeyInput;
  private readonly stack: ScriptStack<Session>;
  private readonly screen: Screen;
  private readonly widgets: Widgets;
  private readonly presence: PresencePublisher;
  private readonly account: LoginFlow;
  private readonly idle: Deadline;
  private readonly router: InputRouter;

  /** @internal Boards create sessions with `board.attach(conn)`. */
  constructor(
    readonly conn: Connection,
    private readonly ctx: SessionContext,
  ) {
    this.board = ctx.board;
    this.store = ctx.board.store;
    this.bus = ctx.board.bus;
    this.logger = ctx.log.child({ session: this.id, conn: conn.id });
    this.done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    this.disposers = new DisposerStack((err) => this.logger.error('session.dispose_failed', { err }));
    this.input = new KeyInput(conn.terminal.encoding, this.logger, ctx.config.keyRate, {
      backlogged: () => this.flowInput(),
      dropped: (chars) => this.social.notify({ kind: 'system', from: 'Input too fast', text: `${chars} typed characters were dropped: paste less at once`, at: Date.now() }),
      cancelled: (chars) => {
        this.widgets.pasteStopped();
        this.social.notify({ kind: 'system', from: PASTE_STOPPED, text: `${chars} pasted characters were not typed (Ctrl-C)`, at: Date.now() });
      },
    });
    const host = new SessionHost(conn, this.id, this.store, this.bus, ctx.processId, ctx.artDir, ctx.loginGuard, this);
    this.presence = new PresencePublisher(part(host, { extraFields: () => this.social.presenceFields() }));
    this.screen = new Screen(part(host, { line: () => this.social.line, keysSeen: () => this.input.delivered + this.input.queued, firstTime: (k: string) => ctx.firstTime(k) }));
    this.stack = new ScriptStack<Session>(part(host, {
      session: this as Session, isClosed: () => this.closed, inputCount: () => this.input.delivered, apologize: async (text: string) => { this.write(`\r\n${wrapLine(text, Math.max(1, this.conn.terminal.cols - 1)).join('\r\n')}\r\n`); this.discardInput(); await this.pause(); },
      load: (name: string) => loadFrame(name, ctx, () => this.stack.depth, (depth) => this.widgets.scriptEnded(depth)),
    }));
    this.widgets = new Widgets({
      conn, input: this.input, screen: this.screen, disposers: this.disposers, maxLineLength: ctx.config.maxLineLength,
      social: () => this.social, depth: () => this.stack.depth, ensureOpen: () => this.ensureOpen(),
    });
    this.social = new SessionSocial(part(host, {
      write: (t: string) => this.write(t), cols: () => this.conn.terminal.cols, viewOpen: () => this.widgets.viewOpen || this.router.held, presenceChanged: () => this.presence.publish(), answer: (inv: Invitation) => answerInvitation(this, inv),
    }), ctx.social, ctx.config.chatRequestTimeoutMs);
    // The login timeout does not end a call while the sysop chats with the caller at `login:`
    // (break-in chat): run out meanwhile, it starts again when the chat ends.
    let loginWaits = false;
    const loginClock = (): Deadline => new Deadline(ctx.config.loginTimeoutMs, () => {
      if (this.router.holder !== 'a chat with the sysop') return this.disconnect('login timeout', 'Login timeout: goodbye.');
      loginWaits = true;
      this.log.info('session.login_timeout_waits_for_chat');
    });
    let loginDeadline = loginClock();
    this.disposers.defer(() => loginDeadline.cancel());
    this.account = new LoginFlow(part(host, {
      write: (t: string) => this.write(t), hangup: (r: string) => this.hangup(r), ensureOpen: () => this.ensureOpen(),
      publish: () => this.presence.publish(), openCall: (user: User) => this.presence.openCall(user),
      becameUser: (user: User) => {
        loginDeadline.cancel();
        loginWaits = false;
        this.logger = this.logger.child({ user: client(user.handle) });
      },
    }));
    this.idle = this.deadline(ctx.config.idleTimeoutMs, 'Idle timeout: goodbye.', 'idle timeout', idleWarning(ctx.config.idleTimeoutMs, {
      bell: (t) => this.conn.write(t), notice: (n) => this.social.notify(n),
    }));
    this.router = new InputRouter({
      viewOpen: () => this.widgets.viewOpen, intercept: (b) => this.social.intercept(b), touch: () => {
        this.idle.touch();
        this.presence.touched();
      },
      queue: (b) => this.input.push(b, this.conn.terminal.encoding), released: () => {
        if (loginWaits && !this.closed) {
          loginWaits = false;
          loginDeadline = loginClock();
        }
        // A door, transfer or break-in chat let go while the script waits at its prompt: what was held shows now.
        if (this.widgets.waitingForInput) this.social.atPrompt();
      },
    });
    this.deadline(ctx.config.maxDurationMs, 'Time limit reached: goodbye.', 'session time limit');
    this.disposers.defer(() => this.social.close());
    this.disposers.defer(() => this.presence.cancel());
    this.disposers.defer(() => this.input.close(new ConnectionClosedError(this.endedWith ?? 'closed')));
    this.listen('close', (reason: string) => this.end(typeof reason === 'string' ? reason : 'closed'));
    if (conn.closed) this.end('closed before the session started');
  }

  get node(): number { return this.presence.node; }
  get user(): User | undefined { return this.account.user; }
  get log(): Logger { return this.logger; }
  get terminal(): Readonly<TerminalInfo> { return this.conn.terminal; }
  get closed(): boolean { return this.endedWith !== undefined; } get endReason(): string | undefined { return this.endedWith; }
  get activity(): string { return this.presence.activity; }
  get scripts(): string[] { return this.stack.names(); }

  // ---- output, input (session/screen.ts, session/widgets.ts) ----
  write(text: string): void { this.screen.write(text); }
  print(text: string): void { this.screen.print(text); }
  println(text = ''): void { this.screen.println(text); }
  clear(): void { this.screen.clear(); }
  art(name: string, opts: ArtOptions = {}): Promise<void> { return this.screen.art(name, opts); }
  artRows(name: string): Promise<string[] | null> { return this.screen.artRows(name); }
  readKey(opts: { timeoutMs?: number } = {}): Promise<string> { return this.widgets.readKey(opts); }
  readKeyEvent(opts: { timeoutMs?: number } = {}): Promise<Key> { return this.widgets.readKeyEvent(opts); }
  readLine(opts: ReadLineOptions = {}): Promise<string> { return this.widgets.readLine(opts); }
  pause(prompt?: string): Promise<string> { return this.widgets.pause(prompt); }
  pager(text: string, opts: PagerOptions = {}): Promise<boolean> { return this.widgets.pager(text, opts); }
  lightbar(items: readonly (string | LightbarItem)[], opts: LightbarOptions = {}): Promise<number | undefined> { return this.widgets.lightbar(items, opts); }
  view<T = unknown>(opts: ViewOptions = {}): SessionView<T> { return this.widgets.view<T>(opts); }
  discardInput(): number { return this.widgets.discardInput(); }
  holdInput(): () => void { return this.flowAround(this.router.hold()); }
  takeRawInput(sink: (bytes: Buffer) => void, abort?: Buffer, holder?: InputHolder): () => void { return this.flowAround(this.router.takeRaw(sink, abort, holder)); }
  whenInputFree(): Promise<void> {
    if (this.router.holder === 'a chat with the sysop') this.log.info('session.waits_for_chat', { activity: client(this.presence.activity) });
    return this.until(this.router.whenFree());
  }
  until<T>(promise: Promise<T>): Promise<T> { return untilEnd(promise, this.disposers, () => this.endedWith ?? 'closed'); }
  onResize(fn: (cols: number, rows: number) => void): () => void { return this.listen('resize', fn); }

  // ---- users (session/login-flow.ts) ----
  authenticate(handle: string, password: string): Promise<User | null> { return this.account.authenticate(handle, password); }
  checkLoginName(name: string): Promise<void> { return this.account.checkLoginName(name); }
  checkHandle(handle: string): HandleValidation { return this.account.checkHandle(handle); }
  checkPassword(password: string, handle?: string): Validation<string> { return this.account.checkPassword(password, handle); }
  newAccountAllowed(): Promise<boolean> { return this.account.newAccountAllowed(); }
  createUser(input: NewUser): Promise<User | null> { return this.account.createUser(input); }
  login(user: User): Promise<void> { return this.account.login(user); }
  refreshUser(): Promise<User | undefined> { return this.account.refresh(); }

  // ---- scripts ----
  goto(name: string, ...args: unknown[]): Promise<never> { return this.stack.goto(name, args); }
  async gosub(name: string, ...args: unknown[]): Promise<unknown> {
    this.ensureOpen();
    return this.stack.gosub(name, args);
  }
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

  // ---- presence and the bus (session/presence-publisher.ts) ----
  setActivity(text: string): void { this.presence.setActivity(text); }
  who(): Promise<PresenceEntry[]> { return this.bus.presence.snapshot(); }
  subscribe<T extends Topic>(topic: T, handler: TopicHandler<T>): Unsubscribe {
    return this.closed ? () => undefined : this.disposers.hold(this.bus.subscribe(topic, handler));
  }

  /** @internal (LiveSession) */
  deliverMessage(from: string, text: string): void { this.social.notify({ kind: 'message', from, text, at: Date.now() }); }
  /** @internal (LiveSession) */
  repaint(out: SpyOutput): string | undefined {
    if (this.closed) return 'the caller is leaving';
    // A door's screen is the door's: its output cannot be asked for again, and a key sent
    // to make it redraw would be a key the caller never typed.
    if (this.router.doorHeld) {
      // What the door drew since its last clear screen, kept while it runs (doors/door-replay.ts).
      this.social.repaint(out);
      return 'a door: shown as it draws';
    }
    if (this.router.held) return 'shown from the next change';
    // Where nothing registered to draw itself again (a script's key prompt, a pause): the
    // rows the session printed since the screen was cleared and the current line.
    return this.social.repaint(out, () => this.widgets.drawShown()) ? undefined : 'shown from the next change';
  }
  /** @internal (LiveSession) */
  holdOutput(): (first?: string) => void { return this.screen.hold(); }
  /** @internal (LiveSession) */
  disconnect(reason: string, text: string): void {
    if (this.closed) return;
    const abort = this.router.abort;
    if (abort) this.conn.writeBytes(abort);
    // Not held for a break-in chat's end: the call ends now.
    this.screen.writeNow(lastLine(text, { screenOwned: this.widgets.viewOpen || this.social.showsNotices, rows: this.conn.terminal.rows, cols: this.conn.terminal.cols, plain: this.screen.plain }));
    void this.hangup(reason);
  }
  /** @internal (LiveSession) */
  async accountChanged(change: Omit<UserChanged, 'userId'> = {}): Promise<void> {
    const before = this.user;
    if (!before || this.closed) return;
    let now: User | undefined;
    try {
      now = await this.account.refresh();
    } catch (err) {
      // The database not answering: the account as read at the last good look stands (the menu reads it again before each choice).
      this.log.warn('session.account_refresh_failed', { err });
      return;
    }
    if (this.closed) return;
    if (!now) return this.disconnect('account deleted', 'Disconnected: account deleted');
    this.log.info('session.account_changed', { to: now.level, from: before.level });
    for (const text of accountNotices(before, now, change)) this.social.notify({ kind: 'system', from: this.board.name, text, at: Date.now() });
  }

  // ---- life cycle ----

  /** @internal The board runs this once: terminal, node, first script, hang-up. Never rejects. */
  async run(): Promise<void> {
    try {
      const leftover = await prepareTerminal(this.conn, this.ctx.config, this.log, () => this.closed);
      if (this.closed) return;
      this.listen('data', (bytes: Buffer) => this.router.push(bytes));
      this.disposers.defer(this.presence.followResizes());
      if (leftover.length > 0) this.router.push(leftover);
      const node = await this.presence.claimNode();
      if (this.closed) return;
      this.logger = this.logger.child({ node });
      this.presence.publish();
      let first = await this.account.firstScript(this.ctx.config);
      for (;;) {
        if (this.closed) return;
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

  /**
   * Keys wait behind the key rate: stop reading the caller until they are taken. Not while
   * a door or a transfer reads the connection itself (the keys waiting are the scripts').
   */
  private flowInput(): void {
    this.conn.pauseInput?.(this.input.full && !this.router.held);
  }

  private flowAround(release: () => void): () => void {
    this.flowInput();
    return () => {
      release();
      this.flowInput();
    };
  }

  /** A timer that ends the call with `text`; cancelled when the session ends. */
  private deadline(ms: number, text: string, reason: string, warning?: DeadlineWarning): Deadline {
    const d = new Deadline(ms, () => this.disconnect(reason, text), warning);
    this.disposers.defer(() => d.cancel());
    return d;
  }

  /** The one teardown: every part's disposer, newest first; then the ledger closes the call and presence. */
  private end(reason: string): void {
    if (this.endedWith !== undefined) return;
    this.endedWith = reason;
    this.disposers.dispose();
    void this.presence.finish(reason).finally(() => {
      this.log.info('session.end', { reason: client(reason), durationMs: Date.now() - this.startedAt });
      this.ctx.ended(this);
      this.resolveDone();
    });
  }

  private listen(event: 'data' | 'resize' | 'close', fn: (...args: any[]) => void): () => void {
    if (this.closed) return () => undefined;
    this.conn.on(event as 'data', fn);
    return this.disposers.hold(() => this.conn.off(event, fn));
  }

  private ensureOpen(): void {
    if (this.closed) throw new ConnectionClosedError(this.endedWith ?? 'closed');
  }
}
