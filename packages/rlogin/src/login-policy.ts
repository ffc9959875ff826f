import type { Identity } from '@carrier/core';
import type { AddressList } from './address-list.js';
import type { RloginHandshake } from './handshake.js';

export interface RloginLoginPolicy {
  /** Hosts whose server-user is taken as the handle, no password asked (door servers, a sister BBS). */
  trusted: AddressList;
  /** Hosts whose clients send SyncTERM's order: password in client-user, handle in server-user. */
  synctermOrder: AddressList;
}

export interface RloginLogin {
  /** A trusted host vouched for this handle. */
  identity?: Identity;
  /** An unverified name that pre-fills `login:`. */
  loginHint?: string;
  /**
   * SyncTERM's password field from an untrusted host, for the engine to try once.
   * Never logged. Absent for trusted hosts (the password is ignored there).
   */
  loginPassword?: string;
}

/**
 * Who the handshake says the caller is, under the sysop's policy. rlogin names are
 * claims made by the remote host, so by default they are only a hint (the engine
 * still asks for the password); only hosts on the `trusted` allowlist may vouch for a
 * handle (PROTOCOL-NOTES: "Trusting rlogin names must be a per-host allowlist").
 * In standard order the client-user is the caller's local account on its own machine,
 * which says nothing about who they are here, so it is not used.
 */
export function decideRloginLogin(handshake: RloginHandshake, remoteAddress: string, policy: RloginLoginPolicy): RloginLogin {
  const handle = cleanName(handshake.serverUser);
  if (policy.trusted.has(remoteAddress)) return handle ? { identity: { user: handle, via: 'rlogin-trusted' } } : {};
  const login: RloginLogin = handle ? { loginHint: handle } : {};
  if (policy.synctermOrder.has(remoteAddress) && handshake.clientUser.length > 0) login.loginPassword = handshake.clientUser;
  return login;
}

/** A name shown on the caller's screen and in logs: no control characters, no edge spaces. */
function cleanName(name: string): string {
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '').trim();
}
