import type { Identity, Protocol } from '@carrier/core';

/**
 * The board's login policy, injected by whoever wires the board (the server: bot trap,
 * penalties, bans, audit). The engine holds no policy of its own: it calls the guard at
 * the three moments that matter and obeys its verdict.
 */
export interface LoginAttempt {
  /** the login name exactly as typed: untrusted, log it through client() */
  readonly name: string;
  readonly remoteAddress: string;
  readonly protocol: Protocol;
  readonly sessionId: string;
  readonly connId: string;
}

export interface LoginVerdict {
  /** hold the caller this long first (capped at MAX_GUARD_DELAY_MS) */
  readonly delayMs?: number;
  /** end the call; `message` is shown first when given */
  readonly hangup?: { readonly reason: string; readonly message?: string };
}

export interface LoginEvent {
  readonly handle: string;
  readonly userId: number;
  readonly remoteAddress: string;
  readonly protocol: Protocol;
  readonly sessionId: string;
  /** how the caller proved who they are; 'script' when a script logged someone in on its own */
  readonly via: 'password' | 'new-user' | 'script' | Identity['via'];
}

export interface LoginGuard {
  /** A login name was typed, before any password is asked for. */
  nameEntered(attempt: LoginAttempt): LoginVerdict | Promise<LoginVerdict>;
  /** The password check came back. */
  passwordChecked(attempt: LoginAttempt & { readonly ok: boolean }): LoginVerdict | Promise<LoginVerdict>;
  /** A caller is now logged in, whichever way. */
  loggedIn?(event: LoginEvent): void;
  /**
   * A caller wants a new account (before the application, and again as it is written):
   * `refuse` turns them away with that line; a hang-up or delay is obeyed as above.
   */
  accountCreation?(attempt: LoginAttempt): AccountVerdict | Promise<AccountVerdict>;
  /** An account was created (it counts against its source's quota). */
  accountCreated?(attempt: LoginAttempt): void;
}

export interface AccountVerdict extends LoginVerdict {
  /** the application is refused; shown to the caller */
  readonly refuse?: string;
}

/**
 * The longest a guard may hold one caller. A policy bug (or a penalty gone wild) can
 * slow a login, never park a session past its own timers.
 */
export const MAX_GUARD_DELAY_MS = 30_000;
