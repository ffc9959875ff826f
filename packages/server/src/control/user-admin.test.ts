import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LEVELS, openStore, type Store } from '@carrier/store';
import { testBackends } from '@carrier/store/testing';
import { deleteUser, findUser, setLevel, setLocked, UserAdminError } from './user-admin.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) it('PostgreSQL user admin', { skip: skipped }, () => undefined);

const PW = 'correct-horse-7';
const lastSysop = (err: unknown): boolean => err instanceof UserAdminError && err.code === 'failed' && /last sysop account that can log in/.test(err.message);

for (const backend of backends) {
  describe(`the last sysop on ${backend.kind}`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(await backend.fresh());
    });
    after(() => store?.close());

    it('is never deleted, locked or demoted; with a second sysop each of those is allowed', async () => {
      await store.users.create({ handle: 'Holmes', password: PW, level: LEVELS.sysop });
      await store.users.create({ handle: 'caller', password: PW, level: LEVELS.user });
      await assert.rejects(deleteUser(store, 'Holmes'), lastSysop);
      await assert.rejects(setLocked(store, 'Holmes', true), lastSysop);
      await assert.rejects(setLevel(store, 'Holmes', LEVELS.cosysop), lastSysop);
      const root = await findUser(store, 'Holmes');
      assert.deepEqual([root.level, root.locked], [LEVELS.sysop, false], 'nothing changed');
      // Raising it, and anything on an ordinary caller, is fine.
      assert.equal((await setLevel(store, 'Holmes', 100)).level, 100);
      assert.equal((await setLocked(store, 'caller', true)).locked, true);
      // A locked sysop cannot log in, so it does not count.
      await store.users.create({ handle: 'Second', password: PW, level: LEVELS.sysop });
      await setLocked(store, 'Second', true);
      await assert.rejects(setLevel(store, 'Holmes', LEVELS.user), lastSysop);
      await setLocked(store, 'Second', false);
      assert.equal((await setLevel(store, 'Holmes', LEVELS.user)).level, LEVELS.user);
      await assert.rejects(deleteUser(store, 'Second'), lastSysop, 'Second is now the last one');
      await setLevel(store, 'Holmes', LEVELS.sysop);
      assert.equal((await deleteUser(store, 'Second')).handle, 'Second');
      await assert.rejects(setLocked(store, 'Holmes', true), lastSysop);
    });

    it('two sysops demoting each other at once: one of them stays a sysop', async () => {
      await store.users.create({ handle: 'Alpha', password: PW, level: LEVELS.sysop });
      await store.users.create({ handle: 'Beta', password: PW, level: LEVELS.sysop });
      for (const h of ['Holmes']) await setLevel(store, h, LEVELS.user);
      const results = await Promise.allSettled([setLevel(store, 'Alpha', LEVELS.user), setLevel(store, 'Beta', LEVELS.user)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))));
      const levels = [(await findUser(store, 'Alpha')).level, (await findUser(store, 'Beta')).level];
      assert.ok(levels.includes(LEVELS.sysop), `a sysop remains: ${levels.join(', ')}`);
    });
  });
}
