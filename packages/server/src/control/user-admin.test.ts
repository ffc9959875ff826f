import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deletedRecipient, LEVELS, openStore, type Store } from '@carrier/store';
import { testBackends } from '@carrier/store/testing';
import { deleteUser, findUser, setLevel, setLocked, UserAdminError } from './user-admin.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) it('PostgreSQL user admin', { skip: skipped }, () => undefined);

const PW = 'correct-horse-7';
const onSelf = (what: string) => (err: unknown): boolean =>
  err instanceof UserAdminError && err.code === 'failed' && err.message.startsWith(`you cannot ${what} your own account from its own session`);
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

    it('a sysop acting from their own session does not delete, lock or demote that account; the CLI (no self) and other sysops can', async () => {
      await store.users.create({ handle: 'Lestrade', password: PW, level: LEVELS.sysop });
      await store.users.create({ handle: 'Gregson', password: PW, level: LEVELS.sysop });
      const self = { self: 'lestrade' };
      await assert.rejects(deleteUser(store, 'Lestrade', undefined, self), onSelf('delete'));
      await assert.rejects(setLocked(store, 'Lestrade', true, self), onSelf('lock'));
      await assert.rejects(setLevel(store, 'Lestrade', LEVELS.cosysop, self), onSelf('lower the level of'));
      const kept = await findUser(store, 'Lestrade');
      assert.deepEqual([kept.level, kept.locked], [LEVELS.sysop, false], 'nothing changed');
      // Raising their own level is no slip; the same changes on another account go through.
      assert.equal((await setLevel(store, 'Lestrade', 95, self)).level, 95);
      assert.equal((await setLocked(store, 'Gregson', true, self)).locked, true);
      await setLocked(store, 'Gregson', false);
      // The host's CLI has no self: only the last-sysop guard applies there.
      assert.equal((await setLevel(store, 'Lestrade', LEVELS.cosysop)).level, LEVELS.cosysop);
      assert.equal((await deleteUser(store, 'Gregson', undefined, { self: 'Lestrade' })).handle, 'Gregson');
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

for (const backend of backends) {
  describe(`messages to a deleted account on ${backend.kind}`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(await backend.fresh());
    });
    after(() => store?.close());

    it('show its handle marked (deleted), belong to no later account of that handle, and messages to others are untouched', async () => {
      await store.users.create({ handle: 'Mycroft', password: PW, level: LEVELS.sysop });
      const gone = await store.users.create({ handle: 'Moriarty', password: PW, level: LEVELS.user });
      const stays = await store.users.create({ handle: 'Hudson', password: PW, level: LEVELS.user });
      const toGone = await store.messages.post({ area: 'general', fromUserId: stays.id, fromHandle: 'Hudson', toHandle: 'moriarty', subject: 'rent', body: 'due' });
      const toStays = await store.messages.post({ area: 'general', fromUserId: gone.id, fromHandle: 'Moriarty', toHandle: 'Hudson', subject: 'rooms', body: 'let' });
      const toAll = await store.messages.post({ area: 'general', fromUserId: stays.id, fromHandle: 'Hudson', subject: 'news', body: 'all' });
      assert.deepEqual([toGone.toHandle, toGone.toUserId], ['Moriarty', gone.id]);
      await deleteUser(store, 'Moriarty');
      // Fails without: To: read 'Moriarty' as if the account were there.
      const read = await store.messages.get(toGone.id);
      assert.deepEqual([read?.toHandle, read?.toUserId], ['Moriarty (deleted)', null]);
      const other = await store.messages.get(toStays.id);
      assert.deepEqual([other?.toHandle, other?.toUserId, other?.fromHandle], ['Hudson', stays.id, 'deleted user']);
      assert.equal((await store.messages.get(toAll.id))?.toHandle, 'All');
      // A new account of the handle: not the old messages' recipient.
      const again = await store.users.create({ handle: 'Moriarty', password: PW, level: LEVELS.user });
      assert.equal(await store.messages.countToUser(again.id, ['general']), 0);
      assert.equal(deletedRecipient('x'.repeat(40)).length, 32);
    });
  });
}
