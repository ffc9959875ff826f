import { MAX_GUARD_DELAY_MS, type LoginGuard } from '@carrier/engine';
import type { SshAuthenticator } from '@carrier/ssh';

/**
 * The login policy for ssh, where the login name and password arrive in the ssh
 * handshake rather than at a prompt: a trap word as the user name or a penalty ban ends
 * the attempt (the ban then closes the socket), a hang-up with a message (a locked
 * account) is a refusal the caller reads, and a wrong password is held as long as the
 * policy says before ssh2 answers it. Public-key attempts pass straight through:
 * clients probe every key they hold, and a probe is not a guess.
 */
export function guardSshAuthenticator(inner: SshAuthenticator, guard: LoginGuard): SshAuthenticator {
  const attempt = (name: string, remoteAddress: string) => ({ name, remoteAddress, protocol: 'ssh' as const, sessionId: '', connId: '' });
  return {
    async password(user, password, remoteAddress) {
      const screened = await guard.nameEntered(attempt(user, remoteAddress));
      if (screened.hangup) return { ok: false, refusal: screened.hangup.message };
      const result = await inner.password(user, password, remoteAddress);
      // A refusal from the store (a locked account) came with the right password: no guess
      // to count against the source; the policy hears it as right, as on telnet, and says why.
      const verdict = await guard.passwordChecked({ ...attempt(user, remoteAddress), ok: result.ok || result.refusal !== undefined });
      const ms = Math.min(Math.max(verdict.delayMs ?? 0, 0), MAX_GUARD_DELAY_MS);
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      if (verdict.hangup) return { ok: false, refusal: verdict.hangup.message ?? (result.ok ? undefined : result.refusal) };
      return result;
    },
    publicKey: (user, key, remoteAddress) => inner.publicKey(user, key, remoteAddress),
  };
}
