import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { MAX_CLIENT_HISTORY } from './client-history.js';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL client history', { skip: skipped }, () => undefined);

const T0 = 1_704_067_200_000;

for (const backend of backends) {
  describe(`client history on ${backend.kind}`, () => {
    let store: Store;
    let now = T0;
    before(async () => {
      store = await openStore({ ...(await backend.fresh()), clock: () => now });
    });
    after(() => store.close());

    test('a connection is recorded when it opens and completed with its byte counts', async () => {
      now = T0;
      const id = await store.clientHistory.start({ host: 'bbs.example.org', port: 2323 });
      const [open] = await store.clientHistory.recent(1);
      assert.deepEqual(open, { id, host: 'bbs.example.org', port: 2323, startedAt: T0, endedAt: null, bytesIn: 0, bytesOut: 0 });
      now = T0 + 90_000;
      // Past 2^31: a long session's byte count needs the bigint column.
      await store.clientHistory.finish(id, { bytesIn: 5_000_000_000, bytesOut: 1234 });
      now = T0 + 95_000;
      await store.clientHistory.finish(id, { bytesIn: 1, bytesOut: 1 });
      const [done] = await store.clientHistory.recent(1);
      assert.deepEqual(done, { id, host: 'bbs.example.org', port: 2323, startedAt: T0, endedAt: T0 + 90_000, bytesIn: 5_000_000_000, bytesOut: 1234 });
    });

    test('recent lists the newest first and clamps its limit', async () => {
      for (let i = 1; i <= 3; i++) {
        now = T0 + 1_000_000 + i;
        await store.clientHistory.start({ host: `h${i}`, port: 23 });
      }
      assert.deepEqual((await store.clientHistory.recent(2)).map((e) => e.host), ['h3', 'h2']);
      assert.deepEqual(await store.clientHistory.recent(-5), []);
      assert.ok((await store.clientHistory.recent(MAX_CLIENT_HISTORY * 10)).length <= MAX_CLIENT_HISTORY);
    });

    test('a bad port, an unknown id and an over-long host get clear answers', async () => {
      await assert.rejects(store.clientHistory.start({ host: 'x', port: 0 }), (e: unknown) => isCarrierError(e, 'VALIDATION'));
      await assert.rejects(store.clientHistory.finish(987654, { bytesIn: 0, bytesOut: 0 }), (e: unknown) => isCarrierError(e, 'NOT_FOUND'));
      const id = await store.clientHistory.start({ host: 'a'.repeat(1000), port: 23 });
      const entry = (await store.clientHistory.recent(10)).find((e) => e.id === id);
      assert.equal(entry?.host.length, 255);
    });
  });
}
