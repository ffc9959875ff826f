import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { LEVELS } from './levels.js';
import { hashPassword, storedHashParams, verifyPassword } from './passwords.js';
import { openStore, type Store, type StoreOptions } from './store.js';
import { TEST_SCRYPT_PARAMS, testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL users', { skip: skipped }, () => undefined);

/** 2024-01-01T00:00:00Z, then one second per reading: times are exact on both databases. */
function steppingClock(start = 1_704_067_200_000): () => number {
  let now = start;
  return () => (now += 1000);
}

async function storedHash(store: Store, id: number): Promise<string> {
  const row = (await store.knex('users').where({ id }).first('password_hash')) as { password_hash: string };
  return row.password_hash;
}

for (const backend of backends) {
  describe(`users on ${backend.kind}`, () => {
    let opts: StoreOptions;
    let store: Store;
    before(async () => {
      opts = { ...(await backend.fresh()), clock: steppingClock() };
      store = await openStore(opts);
    });
    after(() => store.close());

    test('a new user gets the new-user level, no logins yet, and a creation time', async () => {
      const u = await store.users.create({ handle: ' Acid Burn ', password: 'mess with the best', location: 'NYC' });
      assert.equal(u.handle, 'Acid Burn');
      assert.equal(u.level, LEVELS.newUser);
      assert.equal(u.location, 'NYC');
      assert.equal(u.callCount, 0);
      assert.equal(u.lastLoginAt, null);
      assert.equal(typeof u.createdAt, 'number');
      assert.deepEqual(await store.users.findById(u.id), u, 'what create returns is what a read returns');
    });

    test('times come back as the same JS numbers that went in', async () => {
      const u = await store.users.create({ handle: 'Cereal Killer', password: 'gibson supercomputer' });
      const found = await store.users.findByHandle('cereal killer');
      assert.ok(found);
      assert.equal(typeof found.createdAt, 'number');
      assert.equal(found.createdAt, u.createdAt);
      assert.ok(found.createdAt > 1_704_067_200_000);
    });

    test('handles are unique regardless of case', async () => {
      await store.users.create({ handle: 'Zero Cool', password: 'crashed 1507 systems' });
      await assert.rejects(
        store.users.create({ handle: 'ZERO COOL', password: 'another password' }),
        (e) => isCarrierError(e, 'DUPLICATE') && e.details?.['field'] === 'handle',
      );
      assert.equal((await store.users.findByHandle('zero cool'))?.handle, 'Zero Cool');
      assert.equal((await store.users.findByHandle('  ZeRo CoOl '))?.handle, 'Zero Cool');
    });

    test('a look-alike of a taken handle is refused, and racing look-alikes cannot both win', async () => {
      await store.users.create({ handle: 'alice', password: 'wonderland rabbit' });
      for (const h of ['aIice', 'a.lice', 'al1ce']) {
        await assert.rejects(
          store.users.create({ handle: h, password: 'wonderland rabbit' }),
          (e) => isCarrierError(e, 'DUPLICATE') && /looks too much like/.test(e.message),
          h,
        );
        assert.equal((await store.users.findLookalike(h))?.handle, 'alice', `findLookalike finds what ${h} reads as`);
      }
      assert.equal((await store.users.findLookalike('ALICE'))?.handle, 'alice');
      assert.equal(await store.users.findLookalike('bob'), null);
      const results = await Promise.allSettled([
        store.users.create({ handle: 'rt.sysop2', password: 'da vinci virus' }),
        store.users.create({ handle: 'rt_sysop2', password: 'da vinci virus' }),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    test('findByHandlePrefix: handles starting with the text, any case, bounded; LIKE wildcards match only themselves', async () => {
      for (const handle of ['Sparrow', 'spa_rk', 'Spanner', 'spa.x', 'Zed']) await store.users.create({ handle, password: 'long enough pw' });
      // Sorted here: the order of `_` and `.` among letters is the database's collation's.
      const handles = async (prefix: string, limit = 10): Promise<string[]> => (await store.users.findByHandlePrefix(prefix, limit)).map((u) => u.handle).sort();
      assert.deepEqual(await handles('SPA'), ['Spanner', 'Sparrow', 'spa.x', 'spa_rk']);
      const two = await handles('spa', 2);
      assert.equal(two.length, 2);
      assert.ok(two.every((h) => h.toLowerCase().startsWith('spa')), two.join());
      assert.deepEqual(await handles('spa_'), ['spa_rk'], '_ is no wildcard');
      assert.deepEqual(await handles('%'), [], '% is no wildcard');
      assert.deepEqual(await handles('zed'), ['Zed']);
      assert.deepEqual(await handles('  '), []);
      assert.deepEqual(await handles('x'.repeat(500)), []);
    });

    test('the board sysop handle is creatable when allowed, and still reserved otherwise', async () => {
      const u = await store.users.create({ handle: 'Sysop', password: 'long enough pw', level: 100, allowReserved: 'sysop' });
      assert.equal(u.handle, 'Sysop');
    });

    test('two sign-ups racing for one handle: one wins, the other gets DUPLICATE', async () => {
      const results = await Promise.allSettled([
        store.users.create({ handle: 'The Plague', password: 'da vinci virus' }),
        store.users.create({ handle: 'the plague', password: 'da vinci virus' }),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = results.find((r) => r.status === 'rejected');
      assert.ok(lost && isCarrierError(lost.reason, 'DUPLICATE'));
    });

    test('invalid sign-ups are VALIDATION errors naming the field', async () => {
      const cases: Array<[Parameters<Store['users']['create']>[0], string]> = [
        [{ handle: 'x', password: 'long enough pw' }, 'handle'],
        [{ handle: 'Sysop', password: 'long enough pw' }, 'handle'],
        [{ handle: 'Lord Nikon', password: 'short' }, 'password'],
        [{ handle: 'Lord Nikon', password: 'password1' }, 'password'],
        [{ handle: 'Lord Nikon', password: 'long enough pw', level: 101 }, 'level'],
        [{ handle: 'Lord Nikon', password: 'long enough pw', location: 'evil\x1b[2J' }, 'location'],
      ];
      for (const [input, field] of cases) {
        await assert.rejects(
          store.users.create(input),
          (e) => isCarrierError(e, 'VALIDATION') && e.details?.['field'] === field,
          JSON.stringify(input),
        );
      }
      assert.equal(await store.users.findByHandle('Lord Nikon'), null);
    });

    test('authenticate accepts the right password, in any handle case', async () => {
      const made = await store.users.create({ handle: 'Joey', password: 'garbage file' });
      assert.equal((await store.users.authenticate('joey', 'garbage file'))?.id, made.id);
      assert.equal((await store.users.authenticate('JOEY', 'garbage file'))?.id, made.id);
    });

    test('authenticate refuses a wrong password, an unknown handle and absurd input alike', async () => {
      await store.users.create({ handle: 'Razor', password: 'blade and razor' });
      assert.equal(await store.users.authenticate('Razor', 'blade and razer'), null);
      assert.equal(await store.users.authenticate('Razor', ''), null);
      assert.equal(await store.users.authenticate('Nobody Here', 'blade and razor'), null);
      assert.equal(await store.users.authenticate('R'.repeat(10_000), 'x'.repeat(1_000_000)), null);
      assert.equal(await store.users.authenticate('Razor', 'b'.repeat(1_000_000)), null);
    });

    test('a password hashed with older parameters is rehashed with the current ones on login', async () => {
      const made = await store.users.create({ handle: 'Blade', password: 'razor and blade' });
      const oldParams = { N: 512, r: 8, p: 1, keylen: 32 };
      await store.knex('users').where({ id: made.id }).update({ password_hash: await hashPassword('razor and blade', oldParams) });

      assert.equal(await store.users.authenticate('Blade', 'razor and blade wrong'), null);
      assert.deepEqual(storedHashParams(await storedHash(store, made.id)), oldParams, 'a failed login changes nothing');

      assert.equal((await store.users.authenticate('Blade', 'razor and blade'))?.id, made.id);
      const upgraded = await storedHash(store, made.id);
      assert.deepEqual(storedHashParams(upgraded), TEST_SCRYPT_PARAMS);
      assert.equal(await verifyPassword('razor and blade', upgraded), true);
      assert.equal((await store.users.authenticate('Blade', 'razor and blade'))?.id, made.id);
    });

    test('raising the store-wide parameters upgrades each user at their next login', async () => {
      const made = await store.users.create({ handle: 'Kate Libby', password: 'mess with the best' });
      const raised = { ...TEST_SCRYPT_PARAMS, N: TEST_SCRYPT_PARAMS.N * 2 };
      const reopened = await openStore({ ...opts, passwordParams: raised });
      try {
        assert.equal((await reopened.users.authenticate('kate libby', 'mess with the best'))?.id, made.id);
        assert.deepEqual(storedHashParams(await storedHash(reopened, made.id)), raised);
      } finally {
        await reopened.close();
      }
    });

    test('recordLogin stamps the time and counts each call', async () => {
      const made = await store.users.create({ handle: 'Phantom Phreak', password: 'nice try plague' });
      await store.users.recordLogin(made.id);
      await store.users.recordLogin(made.id);
      const after2 = await store.users.findById(made.id);
      assert.equal(after2?.callCount, 2);
      assert.ok(after2.lastLoginAt !== null && after2.lastLoginAt > made.createdAt);
      await assert.rejects(store.users.recordLogin(999_999), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('setPassword replaces the password and validates the new one', async () => {
      const made = await store.users.create({ handle: 'Nikon', password: 'photographic memory' });
      await store.users.setPassword(made.id, 'new photographs');
      assert.equal(await store.users.authenticate('Nikon', 'photographic memory'), null);
      assert.equal((await store.users.authenticate('Nikon', 'new photographs'))?.id, made.id);
      await assert.rejects(store.users.setPassword(made.id, 'nikon'), (e) => isCarrierError(e, 'VALIDATION'));
      await assert.rejects(store.users.setPassword(999_999, 'whatever works'), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('setLevel changes the level within the valid range', async () => {
      const made = await store.users.create({ handle: 'Eugene', password: 'the plague is here' });
      await store.users.setLevel(made.id, LEVELS.sysop);
      assert.equal((await store.users.findById(made.id))?.level, LEVELS.sysop);
      await assert.rejects(store.users.setLevel(made.id, 1000), (e) => isCarrierError(e, 'VALIDATION'));
      await assert.rejects(store.users.setLevel(999_999, LEVELS.user), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('setLocation changes or clears the location, by the sign-up rules', async () => {
      const made = await store.users.create({ handle: 'Mover', password: 'moving house again', location: 'Leeds, UK' });
      await store.users.setLocation(made.id, '  Oslo, Norway ');
      assert.equal((await store.users.findById(made.id))?.location, 'Oslo, Norway');
      await store.users.setLocation(made.id, '');
      assert.equal((await store.users.findById(made.id))?.location, null);
      await store.users.setLocation(made.id, 'Turku');
      await store.users.setLocation(made.id, null);
      assert.equal((await store.users.findById(made.id))?.location, null);
      await assert.rejects(store.users.setLocation(made.id, 'x'.repeat(200)), (e) => isCarrierError(e, 'VALIDATION') && e.details?.['field'] === 'location');
      await assert.rejects(store.users.setLocation(made.id, 'bell\x07here'), (e) => isCarrierError(e, 'VALIDATION'));
      await assert.rejects(store.users.setLocation(999_999, 'Oslo'), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('settings start as negotiated encoding and hotkey menus, and keep what the caller chose', async () => {
      const made = await store.users.create({ handle: 'Settings Tester', password: 'blade of the night' });
      assert.deepEqual(await store.users.settings(made.id), { encoding: null, menuStyle: 'hotkeys' });
      await store.users.updateSettings(made.id, { encoding: 'cp437' });
      await store.users.updateSettings(made.id, { menuStyle: 'lightbar' });
      assert.deepEqual(await store.users.settings(made.id), { encoding: 'cp437', menuStyle: 'lightbar' });
      await store.users.updateSettings(made.id, { encoding: null });
      assert.deepEqual(await store.users.settings(made.id), { encoding: null, menuStyle: 'lightbar' });
      await assert.rejects(store.users.updateSettings(made.id, { encoding: 'latin1' as never }), (e) => isCarrierError(e, 'VALIDATION') && e.details?.['field'] === 'encoding');
      await assert.rejects(store.users.updateSettings(made.id, { menuStyle: 'mouse' as never }), (e) => isCarrierError(e, 'VALIDATION'));
      await assert.rejects(store.users.settings(999_999), (e) => isCarrierError(e, 'NOT_FOUND'));
      await assert.rejects(store.users.updateSettings(999_999, { menuStyle: 'hotkeys' }), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('list returns every user by handle, and count agrees, without password hashes', async () => {
      const users = await store.users.list();
      assert.equal(await store.users.count(), users.length);
      const keys = users.map((u) => u.handle.toLowerCase());
      assert.deepEqual(keys, [...keys].sort());
      for (const u of users) assert.ok(!('password_hash' in u) && !('passwordHash' in u));
      assert.ok(!('password_hash' in (await store.users.authenticate('Joey', 'garbage file'))!));
    });

    test('look-ups for ids and handles that cannot exist return null', async () => {
      assert.equal(await store.users.findById(999_999), null);
      assert.equal(await store.users.findById(Number.NaN), null);
      assert.equal(await store.users.findByHandle('x'.repeat(5000)), null);
    });
  });
}
