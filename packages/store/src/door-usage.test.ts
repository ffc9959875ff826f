import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL door usage', { skip: skipped }, () => undefined);

const T0 = Date.UTC(2026, 11, 5, 23, 0);

for (const backend of backends) {
  describe(`door usage on ${backend.kind}`, () => {
    let store: Store;
    let now = T0;
    before(async () => {
      store = await openStore({ ...(await backend.fresh()), clock: () => now });
    });
    after(() => store.close());

    test('time adds up per user, door and UTC day', async () => {
      const a = await store.users.create({ handle: 'Dungeon Crawler', password: 'crash override 1' });
      const b = await store.users.create({ handle: 'Other Caller', password: 'crash override 2' });
      assert.equal(await store.doorUsage.secondsOn(a.id, 'nethack'), 0);
      assert.equal(await store.doorUsage.add(a.id, 'nethack', 600), 600);
      assert.equal(await store.doorUsage.add(a.id, 'nethack', 30.4), 630);
      await store.doorUsage.add(b.id, 'nethack', 5);
      await store.doorUsage.add(a.id, 'robots', 7);
      assert.equal(await store.doorUsage.secondsOn(a.id, 'nethack'), 630);
      now = T0 + 2 * 3_600_000; // past midnight UTC
      assert.equal(await store.doorUsage.secondsOn(a.id, 'nethack'), 0);
      assert.equal(await store.doorUsage.secondsOn(a.id, 'nethack', T0), 630);
    });
  });
}
