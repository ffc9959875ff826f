import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, isCarrierError } from '@carrier/core';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL logins', { skip: skipped }, () => undefined);

/** Make every insert into calls fail inside the database, after the user row was already updated. */
async function breakCallInserts(store: Store): Promise<void> {
  if (store.kind === 'sqlite') {
    await store.knex.raw("CREATE TRIGGER calls_refuse BEFORE INSERT ON calls BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
  } else {
    await store.knex.raw("CREATE FUNCTION calls_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$ LANGUAGE plpgsql");
    await store.knex.raw('CREATE TRIGGER calls_refuse BEFORE INSERT ON calls FOR EACH ROW EXECUTE FUNCTION calls_refuse()');
  }
}

for (const backend of backends) {
  describe(`logins on ${backend.kind}`, () => {
    let store: Store;
    let now = 1_704_067_200_000;
    before(async () => {
      store = await openStore({ ...(await backend.fresh()), clock: () => now });
    });
    after(() => store.close());

    test('a login counts the call on the user and opens its call record', async () => {
      const user = await store.users.create({ handle: 'Dade', password: 'zero cool was here' });
      now += 1000;
      const id = await store.logins.record({ userId: user.id, handle: 'Dade', protocol: 'ssh', remoteAddress: '192.0.2.7', node: 2 });
      const after = await store.users.findById(user.id);
      assert.equal(after?.callCount, 1);
      assert.equal(after?.lastLoginAt, now);
      await store.calls.end(id, 'logoff');
      const [call] = await store.calls.recent(1);
      assert.deepEqual([call?.id, call?.userId, call?.node, call?.startedAt], [id, user.id, 2, now]);
    });

    test('an unknown user is NOT_FOUND and nothing is written', async () => {
      await assert.rejects(
        store.logins.record({ userId: 999_999, handle: 'Nobody', protocol: 'telnet', remoteAddress: '192.0.2.7', node: 1 }),
        (err: unknown) => isCarrierError(err, ErrorCodes.NOT_FOUND),
      );
    });

    test('when the call record cannot be written, the login is not counted either', async () => {
      const user = await store.users.create({ handle: 'Kate', password: 'acid burn rules' });
      await breakCallInserts(store);
      await assert.rejects(
        store.logins.record({ userId: user.id, handle: 'Kate', protocol: 'telnet', remoteAddress: '192.0.2.7', node: 1 }),
        /refused by test/,
      );
      const after = await store.users.findById(user.id);
      assert.equal(after?.callCount, 0);
      assert.equal(after?.lastLoginAt, null);
    });

    test('reports its pool: in use, idle, waiting, and its size', () => {
      const pool = store.pool();
      assert.ok(pool, 'knex pool visible');
      assert.equal(pool.used, 0);
      assert.equal(pool.pending, 0);
      assert.equal(pool.max, store.kind === 'sqlite' ? 1 : 10);
      assert.ok(pool.free >= 0 && pool.free <= pool.max);
    });
  });
}
