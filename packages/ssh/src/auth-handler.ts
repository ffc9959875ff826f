import type { AuthContext, AuthenticationType, KeyboardAuthContext, PublicKeyAuthContext } from 'ssh2';
import { client, type Identity, type Logger } from '@carrier/core';
import { isNewUserLogin, type AuthResult, type SshAuthenticator } from './authenticator.js';
import { DISCONNECT_REASON, refusalText } from './refusal.js';
import * as ssh2 from './ssh2-lib.js';

/**
 * What we offer after a failure (RFC 4252 §5.1 "authentications that can continue"):
 * keyboard-interactive too unless the sysop turned it off (ssh.keyboardInteractive). A
 * client that tries a method not offered is still answered.
 */
const METHODS: AuthenticationType[] = ['publickey', 'password'];
const METHODS_WITH_KBD: AuthenticationType[] = ['publickey', 'password', 'keyboard-interactive'];
/** keyboard-interactive asks exactly one thing, with echo off. */
const PASSWORD_PROMPT = { prompt: 'password: ', echo: false };

export interface SshAuthOutcome {
  identity?: Identity;
  wantsNewUser: boolean;
}

export interface SshAuthHandlerOptions {
  authenticator: SshAuthenticator;
  remoteAddress: string;
  /** failed attempts of any method before the connection is closed (OpenSSH MaxAuthTries) */
  maxAttempts: number;
  /** wrong passwords, password and keyboard-interactive counted together, before the close */
  maxPasswordTries: number;
  /** offer keyboard-interactive in the methods that can continue (default true) */
  offerKeyboardInteractive?: boolean | undefined;
  log: Logger;
  /**
   * Called once when the board turns the caller away (the attempts ran out, or a
   * refusal): the server disconnects the client, with `reason` (RFC 4253 §11.1) and
   * `text` in the DISCONNECT, which OpenSSH's ssh and PuTTY print.
   */
  hangUp: (reason: number, text: string) => void;
}

/** Shown when the attempts run out, before the connection ends. */
export const TOO_MANY_FAILURES_TEXT = 'Too many failed logins. Goodbye.';

/**
 * One SSH connection's authentication. ssh2 hands us one request at a time (it queues
 * the rest, and disconnects past 10 queued), so the flow is sequential. Every failure
 * but the client's opening `none` probe counts toward `maxAttempts`, and wrong passwords
 * by either password method toward `maxPasswordTries` (the board's 3); a kbd-interactive
 * prompt that is never answered is bounded by the server's grace timer.
 */
export class SshAuthHandler {
  outcome: SshAuthOutcome | undefined;
  private failures = 0;
  private passwordFailures = 0;
  private sawNone = false;
  private closed = false;

  constructor(private readonly opts: SshAuthHandlerOptions) {}

  /** The connection went away: answer nothing more. */
  close(): void {
    this.closed = true;
  }

  handle(ctx: AuthContext): void {
    if (this.closed) return;
    this.decide(ctx).catch((err: unknown) => {
      this.opts.log.error('ssh.auth_error', { remote: this.opts.remoteAddress, user: client(ctx.username), err });
      this.reject(ctx);
    });
  }

  private async decide(ctx: AuthContext): Promise<void> {
    const user = ctx.username;
    if (isNewUserLogin(user) && (ctx.method === 'none' || ctx.method === 'password' || ctx.method === 'keyboard-interactive')) {
      this.accept(ctx, { wantsNewUser: true });
      return;
    }
    switch (ctx.method) {
      case 'none':
        // Every client opens with `none` to learn the methods; only repeats count.
        if (!this.sawNone) {
          this.sawNone = true;
          this.reply(ctx, false);
          return;
        }
        this.reject(ctx);
        return;
      case 'password':
        return this.settle(ctx, await this.opts.authenticator.password(user, ctx.password, this.opts.remoteAddress), 'ssh-password');
      case 'keyboard-interactive': {
        const answers = await askPassword(ctx);
        // Undefined: the client moved on to another request; ssh2 already dropped this one.
        if (answers === undefined) return;
        const password = answers.length === 1 ? answers[0]! : '';
        const result = await this.opts.authenticator.password(user, password, this.opts.remoteAddress);
        return this.settle(ctx, answers.length === 1 ? result : { ok: false }, 'ssh-keyboard-interactive');
      }
      case 'publickey':
        return this.publicKey(ctx);
      default:
        this.reject(ctx);
    }
  }

  /**
   * RFC 4252 §7: a request without a signature asks whether the key would do; the
   * answer is PK_OK only for a registered key. With a signature, both the store and the
   * signature over the session id must agree.
   */
  private async publicKey(ctx: PublicKeyAuthContext): Promise<void> {
    const result = await this.opts.authenticator.publicKey(ctx.username, { algo: ctx.key.algo, data: ctx.key.data }, this.opts.remoteAddress);
    // A registered key of an account the board refuses (locked) is still the caller's:
    // the probe says so, and only a signature from it hears why it is refused.
    if (!ctx.signature) {
      if (result.ok || result.refusal !== undefined) this.reply(ctx, true);
      else this.reject(ctx);
      return;
    }
    this.settle(ctx, signatureVerifies(ctx) ? result : { ok: false }, 'ssh-publickey');
  }

  private settle(ctx: AuthContext, result: AuthResult, via: Identity['via']): void {
    if (result.ok) this.accept(ctx, { identity: { user: result.user, via }, wantsNewUser: false });
    else if (result.refusal !== undefined) this.refuse(ctx, result.refusal);
    else this.reject(ctx);
  }

  /**
   * The board turns the caller away (not a wrong guess): the end, with the reason, as on
   * telnet. The request is left unanswered: a failure first would send OpenSSH on to its
   * next method (another password prompt) before it read why.
   */
  private refuse(ctx: AuthContext, text: string): void {
    if (this.closed) return;
    this.opts.log.info('ssh.auth_refused', { remote: this.opts.remoteAddress, user: client(ctx.username), method: ctx.method, reason: client(text) });
    this.closed = true;
    this.opts.hangUp(DISCONNECT_REASON.byApplication, refusalText(text));
  }

  private accept(ctx: AuthContext, outcome: SshAuthOutcome): void {
    if (this.closed) return;
    this.outcome = outcome;
    this.opts.log.info('ssh.auth_ok', {
      remote: this.opts.remoteAddress,
      user: client(outcome.identity?.user ?? ctx.username),
      method: ctx.method,
      newUser: outcome.wantsNewUser,
    });
    this.reply(ctx, true);
  }

  private reject(ctx: AuthContext): void {
    if (this.closed) return;
    this.failures++;
    const password = ctx.method === 'password' || ctx.method === 'keyboard-interactive';
    if (password) this.passwordFailures++;
    this.opts.log.info('ssh.auth_failed', {
      remote: this.opts.remoteAddress,
      user: client(ctx.username),
      method: ctx.method,
      failures: this.failures,
    });
    this.reply(ctx, false);
    if (this.failures >= this.opts.maxAttempts || this.passwordFailures >= this.opts.maxPasswordTries) {
      this.closed = true;
      this.opts.log.info('ssh.auth_too_many', { remote: this.opts.remoteAddress, failures: this.failures });
      this.opts.hangUp(DISCONNECT_REASON.noMoreAuthMethods, TOO_MANY_FAILURES_TEXT);
    }
  }

  private reply(ctx: AuthContext, ok: boolean): void {
    if (this.closed) return;
    try {
      if (ok) ctx.accept();
      else ctx.reject(this.opts.offerKeyboardInteractive === false ? METHODS : METHODS_WITH_KBD);
    } catch (err) {
      // The transport closed under us between the question and the answer.
      this.opts.log.debug('ssh.auth_reply_failed', { remote: this.opts.remoteAddress, err });
    }
  }
}

function askPassword(ctx: KeyboardAuthContext): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    // ssh2 calls back with an Error instead of answers when the request is aborted.
    ctx.prompt([PASSWORD_PROMPT], (answers: unknown) => resolve(Array.isArray(answers) ? answers.map(String) : undefined));
  });
}

function signatureVerifies(ctx: PublicKeyAuthContext): boolean {
  if (!ctx.signature || !ctx.blob) return false;
  const parsed = ssh2.utils.parseKey(ctx.key.data);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) return false;
  return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
}
