import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL processes', { skip: skipped }, () => undefined);

const T0 = 1_704_067_200_000;

for (const backend of backends) {
  describe(`processes on ${backend.kind}`, () => {
    let store: Store;
    before(async () => {
      store = await openStore(await backend.fresh());
    });
    after(() => store.close());

    test('a beat inserts a row, a later beat moves it forward, remove drops it', async () => {
      await store.processes.beat('host-a:10:aaaa', T0);
      await store.processes.beat('host-b:20:bbbb', T0 + 500);
      await store.processes.beat('host-a:10:aaaa', T0 + 5_000);
      assert.deepEqual(await store.processes.list(), [
        { id: 'host-b:20:bbbb', seenAt: T0 + 500 },
        { id: 'host-a:10:aaaa', seenAt: T0 + 5_000 },
      ]);
      await store.processes.remove('host-a:10:aaaa');
      await store.processes.remove('never-beat');
      assert.deepEqual(await store.processes.list(), [{ id: 'host-b:20:bbbb', seenAt: T0 + 500 }]);
      await store.processes.remove('host-b:20:bbbb');
    });

    test('times beyond 32 bits and an over-long id are kept the way calls keep them', async () => {
      const long = `h:${'x'.repeat(300)}`;
      await store.processes.beat(long, 8_640_000_000_000);
      const [row] = await store.processes.list();
      assert.equal(row!.seenAt, 8_640_000_000_000);
      assert.equal(row!.id, long.slice(0, 128));
      await store.processes.remove(long);
      assert.deepEqual(await store.processes.list(), []);
    });
  });
}
