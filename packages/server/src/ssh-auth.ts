import type { Store } from '@carrier/store';
import { isLocked } from './control/user-admin.js';

export type AuthResult = { ok: true; user: string } | { ok: false };

/** The ssh front end asks these questions; the answers come from the user store. */
export function storeAuthenticator(store: Store) {
  return {
    async password(user: string, password: string): Promise<AuthResult> {
      // authenticate() does the same scrypt work for unknown handles: no enumeration by timing.
      const u = await store.users.authenticate(user, password);
      return u && !(await isLocked(store, u.handle)) ? { ok: true, user: u.handle } : { ok: false };
    },
    async publicKey(user: string, key: { algo: string; data: Buffer }): Promise<AuthResult> {
      const [u, owner] = await Promise.all([store.users.findByHandle(user), store.keys.ownerOf(key.algo, key.data)]);
      return u && owner === u.id && !(await isLocked(store, u.handle)) ? { ok: true, user: u.handle } : { ok: false };
    },
  };
}
