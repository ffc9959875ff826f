import { client, sourceOf, type AddressSet, type Logger } from '@carrier/core';
import { isLocked } from '../control/user-admin.js';
import type { LoginAttempt, LoginEvent, LoginGuard, LoginVerdict } from '@carrier/engine';
import type { Store } from '@carrier/store';
import type { AuditLog } from './audit.js';
import type { BanList } from './ban-list.js';
import type { BotTrap } from './bot-trap.js';
import type { AccountQuota } from './account-quota.js';
import type { PenaltyBox, PenaltyVerdict } from './penalties.js';

/**
 * The board's login policy, given to the engine as its LoginGuard and to the ssh front
 * end through `guardSshAuthenticator`: the bot trap on the login name, penalties and
 * delays on wrong passwords, a ban when a source earns one, and the audit trail. Sources
 * on the allowlist are never banned or held; their traps and failures are still audited.
 */
export interface LoginPolicyOptions {
  trap: BotTrap | undefined;
  trapBanMs: number;
  penalties: PenaltyBox | undefined;
  /** new accounts per source and per network */
  accounts?: AccountQuota | undefined;
  bans: BanList;
  allowlist: AddressSet;
  audit: AuditLog;
  store: Store;
  log: Logger;
}

const PASS: LoginVerdict = {};

/** What a caller with the right password for a locked account is told (every front end). */
export const ACCOUNT_LOCKED_TEXT = 'This account is locked. Contact the sysop.';

export class LoginPolicy implements LoginGuard {
  constructor(private readonly opts: LoginPolicyOptions) {}

  async nameEntered(a: LoginAttempt): Promise<LoginVerdict> {
    const word = this.opts.trap?.match(a.name);
    if (word === undefined) return PASS;
    // A board whose sysop really is called "admin" keeps working: only names that are
    // no account here spring the trap.
    if (await this.opts.store.users.findByHandle(a.name.trim()).catch(() => undefined)) return PASS;
    const allowlisted = this.opts.allowlist.has(a.remoteAddress);
    this.opts.audit.trap({ remote: a.remoteAddress, protocol: a.protocol, name: a.name, word, banned: !allowlisted });
    if (!allowlisted) {
      await this.opts.bans.ban({
        target: sourceOf(a.remoteAddress),
        reason: `bot trap: ${word}`,
        source: 'trap',
        forMs: this.opts.trapBanMs,
        by: 'trap',
      });
    }
    return { hangup: { reason: `bot trap (${word})` } };
  }

  async passwordChecked(a: LoginAttempt & { ok: boolean }): Promise<LoginVerdict> {
    if (a.ok) {
      // The sysop locked the account (user editor, `carrier user lock`): the right password is not enough.
      if (await isLocked(this.opts.store, a.name.trim()).catch(() => false)) {
        this.opts.log.info('login.locked', { name: client(a.name) });
        return { hangup: { reason: 'account locked', message: ACCOUNT_LOCKED_TEXT } };
      }
      return PASS;
    }
    this.opts.audit.loginFailed({ remote: a.remoteAddress, protocol: a.protocol, name: a.name, ...(a.sessionId ? { session: a.sessionId } : {}) });
    const box = this.opts.penalties;
    if (!box || this.opts.allowlist.has(a.remoteAddress)) return PASS;
    const source = sourceOf(a.remoteAddress);
    const verdict = box.failedLogin(source, a.name);
    await this.banNetwork(verdict, 'repeated failed logins from one network');
    if (verdict.banForMs !== undefined) {
      await this.opts.bans.ban({ target: source, reason: 'repeated failed logins', source: 'penalty', forMs: verdict.banForMs, by: 'penalty' });
      return { hangup: { reason: 'penalty ban' } };
    }
    return { delayMs: verdict.delayMs };
  }

  /** A network ban (the allowlist still wins: BanList never bans over an allowlisted address's lookup). */
  private async banNetwork(verdict: PenaltyVerdict, reason: string): Promise<void> {
    if (!verdict.banNetwork) return;
    await this.opts.bans.ban({ target: verdict.banNetwork.target, reason, source: 'penalty', forMs: verdict.banNetwork.forMs, by: 'penalty' });
  }

  /**
   * A caller wants to create an account (before the application, and again at the end).
   * Over the quota: refused with a short message, audited, and charged penalty points as
   * a wrong password is, so a source that keeps trying is banned like a guesser.
   */
  async accountCreation(a: { remoteAddress: string; protocol: string; name: string }): Promise<{ refuse?: string } & LoginVerdict> {
    const quota = this.opts.accounts;
    if (!quota || this.opts.allowlist.has(a.remoteAddress)) return PASS;
    const source = sourceOf(a.remoteAddress);
    const verdict = quota.check(source);
    if (verdict.ok) return PASS;
    const minutes = Math.max(1, Math.ceil(verdict.retryInMs / 60_000));
    this.opts.log.info('security.new_account_refused', { remote: a.remoteAddress, protocol: a.protocol, scope: verdict.scope, retryInMinutes: minutes });
    const refuse = `Too many new accounts from your ${verdict.scope === 'network' ? 'network' : 'address'} lately. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
    const box = this.opts.penalties;
    if (!box) return { refuse };
    const penalty = box.failedLogin(source, `new:${a.name}`);
    await this.banNetwork(penalty, 'too many new accounts from one network');
    if (penalty.banForMs !== undefined) {
      await this.opts.bans.ban({ target: source, reason: 'too many new accounts', source: 'penalty', forMs: penalty.banForMs, by: 'penalty' });
      return { refuse, hangup: { reason: 'penalty ban', message: refuse } };
    }
    return { refuse };
  }

  /** An account was created: it counts against its source's quota. */
  accountCreated(a: { remoteAddress: string }): void {
    if (this.opts.allowlist.has(a.remoteAddress)) return;
    this.opts.accounts?.record(sourceOf(a.remoteAddress));
  }

  loggedIn(e: LoginEvent): void {
    this.opts.audit.login({ remote: e.remoteAddress, protocol: e.protocol, handle: e.handle, via: e.via, session: e.sessionId });
  }

  /** A connection that never logged in closed: the smaller penalty. */
  async unauthenticatedClose(remoteAddress: string): Promise<void> {
    const box = this.opts.penalties;
    if (!box || this.opts.allowlist.has(remoteAddress)) return;
    const source = sourceOf(remoteAddress);
    const verdict = box.unauthenticated(source);
    await this.banNetwork(verdict, 'too many connections without a login from one network');
    if (verdict.banForMs === undefined) return;
    await this.opts.bans.ban({ target: source, reason: 'too many connections without a login', source: 'penalty', forMs: verdict.banForMs, by: 'penalty' });
  }
}
