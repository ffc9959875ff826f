import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL bans', { skip: skipped }, () => undefined);

const T0 = 1_704_067_200_000;
const HOUR = 3_600_000;

for (const backend of backends) {
  describe(`bans on ${backend.kind}`, () => {
    let store: Store;
    let now = T0;
    before(async () => {
      store = await openStore({ ...(await backend.fresh()), clock: () => now });
    });
    after(() => store.close());

    test('a ban is stored with its reason, source and expiry, under its canonical spelling', async () => {
      const ban = await store.bans.put({ target: '2001:DB8:0:0::1', reason: 'typed root', source: 'trap', expiresAt: T0 + 24 * HOUR });
      assert.deepEqual(
        { ...ban, id: 0 },
        { id: 0, target: '2001:db8::1', reason: 'typed root', source: 'trap', createdAt: T0, updatedAt: T0, expiresAt: T0 + 24 * HOUR },
      );
      assert.equal((await store.bans.find('2001:db8::0:1'))?.id, ban.id);
    });

    test('a range keeps its prefix with host bits cleared', async () => {
      const ban = await store.bans.put({ target: '203.0.113.77/24', reason: 'scanner network', source: 'sysop', expiresAt: null });
      assert.equal(ban.target, '203.0.113.0/24');
      assert.equal(ban.expiresAt, null);
    });

    test('banning a target again replaces its ban and keeps one row', async () => {
      now = T0 + 1000;
      const first = await store.bans.put({ target: '192.0.2.7', reason: 'guessing', source: 'penalty', expiresAt: now + HOUR });
      now = T0 + 2000;
      const second = await store.bans.put({ target: '192.0.2.7', reason: 'sysop says so', source: 'sysop', expiresAt: null });
      assert.equal(second.id, first.id);
      assert.equal(second.createdAt, T0 + 1000);
      assert.equal(second.updatedAt, T0 + 2000);
      assert.deepEqual([second.reason, second.source, second.expiresAt], ['sysop says so', 'sysop', null]);
      const rows = (await store.bans.active(now)).filter((b) => b.target === '192.0.2.7');
      assert.equal(rows.length, 1);
    });

    test('active lists bans in force only; purge deletes the expired ones', async () => {
      now = T0 + 10_000;
      await store.bans.put({ target: '198.51.100.1', reason: 'short', source: 'penalty', expiresAt: now + 5000 });
      await store.bans.put({ target: '198.51.100.2', reason: 'long', source: 'penalty', expiresAt: now + HOUR });
      const at = (t: number) => store.bans.active(t).then((list) => list.map((b) => b.target).filter((x) => x.startsWith('198.51.100.')));
      assert.deepEqual(await at(now), ['198.51.100.1', '198.51.100.2']);
      assert.deepEqual(await at(now + 5000), ['198.51.100.2']);
      assert.equal(await store.bans.purgeExpired(now + 5000), 1);
      assert.equal(await store.bans.find('198.51.100.1'), undefined);
      // bans without expiry are never purged
      assert.ok(await store.bans.find('203.0.113.0/24'));
    });

    test('remove lifts a ban in any spelling and says whether there was one', async () => {
      await store.bans.put({ target: '2001:db8:5::/48', reason: 'x', source: 'sysop', expiresAt: null });
      assert.equal(await store.bans.remove('2001:DB8:5:0::/48'), true);
      assert.equal(await store.bans.remove('2001:db8:5::/48'), false);
      assert.equal(await store.bans.remove('not an address'), false);
    });

    test('the version moves on every add, change and removal', async () => {
      const v0 = await store.bans.version();
      now += 1;
      await store.bans.put({ target: '192.0.2.200', reason: 'a', source: 'sysop', expiresAt: null });
      const v1 = await store.bans.version();
      assert.notEqual(v1, v0);
      now += 1;
      await store.bans.put({ target: '192.0.2.200', reason: 'b', source: 'sysop', expiresAt: null });
      const v2 = await store.bans.version();
      assert.notEqual(v2, v1);
      await store.bans.remove('192.0.2.200');
      assert.notEqual(await store.bans.version(), v2);
    });

    test('a target that is not an address or range, or an unknown source, is a VALIDATION error', async () => {
      await assert.rejects(
        store.bans.put({ target: 'example.com', reason: 'x', source: 'sysop', expiresAt: null }),
        (e: unknown) => isCarrierError(e, 'VALIDATION') && /not an IP address/.test(e.message),
      );
      await assert.rejects(
        store.bans.put({ target: '192.0.2.1', reason: 'x', source: 'robot' as 'sysop', expiresAt: null }),
        (e: unknown) => isCarrierError(e, 'VALIDATION'),
      );
    });

    test('a long reason is cut to fit the column, never refused', async () => {
      const ban = await store.bans.put({ target: '192.0.2.99', reason: 'x'.repeat(5000), source: 'sysop', expiresAt: null });
      assert.equal(ban.reason.length, 200);
    });
  });
}
