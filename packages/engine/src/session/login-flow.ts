import { cleanUserText, client, ErrorCodes, isCarrierError, type Connection, type Logger } from '@carrier/core';
import {
  validateHandle,
  validatePassword,
  type HandleValidation,
  type NewUser,
  type Store,
  type User,
  type Validation,
} from '@carrier/store';
import type { BoardConfig } from '../board-config.js';
import { MAX_GUARD_DELAY_MS, type AccountVerdict, type LoginAttempt, type LoginEvent, type LoginGuard, type LoginVerdict } from '../login-guard.js';
import { STORE_APOLOGY } from '../script-stack.js';
import { wrapLine } from '../pager.js';
import { applyUserEncoding } from './terminal-setup.js';

/** The longest guard message shown to a caller before a hang-up. */
const MAX_GUARD_MESSAGE_LENGTH = 300;

export interface LoginHost {
  readonly sessionId: string;
  readonly conn: Connection;
  readonly store: Store;
  readonly guard: LoginGuard | undefined;
  readonly log: Logger;
  write(text: string): void;
  hangup(reason: string): Promise<never>;
  /** throws ConnectionClosedError once the session has ended */
  ensureOpen(): void;
  /** `user` is now the caller: stop the login timer, name them in the log */
  becameUser(user: User): void;
  /** count the login and open the call record */
  openCall(user: User): Promise<void>;
  /** the handle changed: republish presence */
  publish(): void;
}

/**
 * How a caller becomes a user: the board's login policy (the guard: bot trap,
 * penalties, audit), password checks, account creation, and the login itself.
 *
 * **Fail-closed:** a guard that throws while screening a name or a password check (its
 * database is down, say) ends the call with the store apology: the bot trap and the
 * penalties are never skipped. One `login.guard_failed` line is logged. A failing
 * `loggedIn` (audit only) is logged and the caller stays.
 */
export class LoginFlow {
  private current: User | undefined;
  /** the login name the guard last let through to the password prompt */
  private screenedName: string | undefined;
  /** how the user about to log in proved who they are, for the guard's loggedIn */
  private provenBy: { userId: number; via: LoginEvent['via'] } | undefined;

  constructor(private readonly host: LoginHost) {}

  get user(): User | undefined {
    return this.current;
  }

  /** The first script: `newuser` for ssh `new`, the board itself for a caller the front end vouched for, else the matrix. */
  async firstScript(config: Readonly<BoardConfig>): Promise<string> {
    const { conn, store, log } = this.host;
    if (conn.wantsNewUser) return 'newuser';
    const identity = conn.identity;
    if (identity) {
      const user = await store.users.findByHandle(identity.user);
      if (user) {
        await this.login(user);
        return config.authenticatedScript;
      }
      log.warn('session.identity_unknown', { user: client(identity.user), via: identity.via });
    }
    return config.startScript;
  }

  async authenticate(handle: string, password: string): Promise<User | null> {
    // A script that skipped checkLoginName still goes through the board's policy.
    if (this.screenedName !== handle) await this.checkLoginName(handle);
    this.screenedName = undefined;
    const user = await this.host.store.users.authenticate(handle, password);
    if (!user) this.host.log.info('login.failed', { handle: client(handle) });
    else this.provenBy = { userId: user.id, via: 'password' };
    await this.obey('passwordChecked', (g) => g.passwordChecked({ ...this.attempt(handle), ok: user !== null }));
    return user;
  }

  async checkLoginName(name: string): Promise<void> {
    this.host.ensureOpen();
    await this.obey('nameEntered', (g) => g.nameEntered(this.attempt(name)));
    this.screenedName = name;
  }

  checkHandle(handle: string): HandleValidation {
    return validateHandle(handle);
  }

  checkPassword(password: string, handle?: string): Validation<string> {
    return validatePassword(password, handle);
  }

  /**
   * Whether the board's policy lets this caller create an account now (the per-address
   * and per-network quota); when not, the refusal has been shown.
   */
  async newAccountAllowed(name = 'new'): Promise<boolean> {
    let refuse: string | undefined;
    await this.obey('accountCreation', async (guard) => {
      const verdict: AccountVerdict = (await guard.accountCreation?.(this.attempt(name))) ?? {};
      refuse = verdict.refuse;
      return verdict;
    });
    if (refuse === undefined) return true;
    this.host.log.info('user.create_refused', { handle: client(name) });
    this.say(cleanUserText(refuse, MAX_GUARD_MESSAGE_LENGTH));
    return false;
  }

  async createUser(input: NewUser): Promise<User | null> {
    // Asked again as the account is written: callers who all passed the first check in
    // parallel sessions still get only the quota.
    if (!(await this.newAccountAllowed(input.handle))) return this.host.hangup('new account quota');
    try {
      const user = await this.host.store.users.create(input);
      this.host.log.info('user.created', { handle: client(user.handle), userId: user.id });
      try {
        this.host.guard?.accountCreated?.(this.attempt(user.handle));
      } catch (err) {
        this.host.log.error('login.guard_failed', { step: 'accountCreated', err });
      }
      this.provenBy = { userId: user.id, via: 'new-user' };
      return user;
    } catch (err) {
      if (isCarrierError(err, ErrorCodes.DUPLICATE)) return null;
      throw err;
    }
  }

  /** The account as the store has it now (see Session.refreshUser). */
  async refresh(): Promise<User | undefined> {
    if (!this.current) return undefined;
    const fresh = await this.host.store.users.findById(this.current.id);
    if (!fresh) return undefined;
    this.current = fresh;
    return fresh;
  }

  async login(user: User): Promise<void> {
    const { host } = this;
    host.ensureOpen();
    this.current = user;
    host.becameUser(user);
    await host.openCall(user);
    await applyUserEncoding(host.conn, host.store, user.id, host.log);
    host.log.info('session.login', { userId: user.id });
    // Admission stops counting this socket as a start-up (MaxStartups).
    host.conn.markAuthenticated();
    this.tellGuardLoggedIn(user);
    host.publish();
  }

  private tellGuardLoggedIn(user: User): void {
    const { conn } = this.host;
    const proven = this.provenBy?.userId === user.id ? this.provenBy.via : undefined;
    const identity = conn.identity;
    const via = proven ?? (identity && identity.user.toLowerCase() === user.handle.toLowerCase() ? identity.via : 'script');
    this.provenBy = undefined;
    try {
      this.host.guard?.loggedIn?.({
        handle: user.handle,
        userId: user.id,
        remoteAddress: conn.remoteAddress,
        protocol: conn.terminal.protocol,
        sessionId: this.host.sessionId,
        via,
      });
    } catch (err) {
      this.host.log.error('login.guard_failed', { step: 'loggedIn', err });
    }
  }

  private attempt(name: string): LoginAttempt {
    const { conn } = this.host;
    return { name, remoteAddress: conn.remoteAddress, protocol: conn.terminal.protocol, sessionId: this.host.sessionId, connId: conn.id };
  }

  /** A line of the board's policy on a row of its own, broken between words at the caller's width (it went on mid-word on a narrow screen). */
  private say(text: string): void {
    this.host.write(`\r\n${wrapLine(text, Math.max(1, this.host.conn.terminal.cols - 1)).join('\r\n')}\r\n`);
  }

  /** Ask the guard and do what it says. A guard that cannot answer ends the call (fail-closed). */
  private async obey(step: string, ask: (guard: LoginGuard) => LoginVerdict | Promise<LoginVerdict>): Promise<void> {
    const { host } = this;
    const guard = host.guard;
    if (!guard) return;
    let verdict: LoginVerdict;
    try {
      verdict = await ask(guard);
    } catch (err) {
      host.ensureOpen();
      host.log.error('login.guard_failed', { step, err });
      this.say(STORE_APOLOGY);
      return host.hangup('login guard unavailable');
    }
    host.ensureOpen();
    if (verdict.hangup) {
      const message = verdict.hangup.message !== undefined ? cleanUserText(verdict.hangup.message, MAX_GUARD_MESSAGE_LENGTH) : '';
      if (message) this.say(message);
      await host.hangup(verdict.hangup.reason);
    }
    const ms = Math.min(Math.max(verdict.delayMs ?? 0, 0), MAX_GUARD_DELAY_MS);
    if (ms > 0) {
      await new Promise<void>((resolve) => setTimeout(resolve, ms));
      host.ensureOpen();
    }
  }
}
