/**
 * What the board's account store answers; `user` is the canonical handle. `refusal`: the
 * credentials were right but the board turns the login away (a locked account, the login
 * policy), with the text the caller is shown before the connection ends.
 */
export type AuthResult = { ok: true; user: string } | { ok: false; refusal?: string | undefined };

/**
 * Injected by the server wiring (the store). Both calls must take the same time for an
 * unknown user as for a known one (a dummy hash), so a caller cannot list accounts by
 * timing; the front end awaits the answer on every path before replying.
 */
export interface SshAuthenticator {
  password(user: string, password: string, remoteAddress: string): Promise<AuthResult>;
  /** Is this public key (algorithm name + SSH wire blob) registered to `user`? */
  publicKey(user: string, key: { algo: string; data: Buffer }, remoteAddress: string): Promise<AuthResult>;
}

/**
 * The login name that leads to the new-user application (x/84 and ENiGMA½ habit),
 * with any password or none. It never names an account.
 */
export const NEW_USER_LOGIN = 'new';

export function isNewUserLogin(user: string): boolean {
  return user.toLowerCase() === NEW_USER_LOGIN;
}
