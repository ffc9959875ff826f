import type { Store } from '@carrier/store';
import { isLocked } from './control/user-admin.js';
import { ACCOUNT_LOCKED_TEXT } from './security/login-policy.js';

/** The ssh package's AuthResult: `refusal` is what the caller reads when the right credentials are turned away. */
export type AuthResult = { ok: true; user: string } | { ok: false; refusal?: string };

/** The ssh front end asks these questions; the answers come from the user store. */
export function storeAuthenticator(store: Store) {
  return {
    async password(user: string, password: string): Promise<AuthResult> {
      // authenticate() does the same scrypt work for unknown handles: no enumeration by timing.
      const u = await store.users.authenticate(user, password);
      if (!u) return { ok: false };
      return (await isLocked(store, u.handle)) ? { ok: false, refusal: ACCOUNT_LOCKED_TEXT } : { ok: true, user: u.handle };
    },
    async publicKey(user: string, key: { algo: string; data: Buffer }): Promise<AuthResult> {
      const [u, owner] = await Promise.all([store.users.findByHandle(user), store.keys.ownerOf(key.algo, key.data)]);
      if (!u || owner !== u.id) return { ok: false };
      return (await isLocked(store, u.handle)) ? { ok: false, refusal: ACCOUNT_LOCKED_TEXT } : { ok: true, user: u.handle };
    },
  };
}
