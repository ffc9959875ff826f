import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { MESSAGE_LIMITS, replySubject } from './messages.js';
import { migrationSource } from './migrations.js';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL messages', { skip: skipped }, () => undefined);

const T0 = 1_704_067_200_000;

test('a reply subject gets Re: once', () => {
  assert.equal(replySubject('hello'), 'Re: hello');
  assert.equal(replySubject('Re: hello'), 'Re: hello');
  assert.equal(replySubject('RE: re:Re : hello'), 'Re: hello');
  assert.equal([...replySubject('x'.repeat(100))].length, MESSAGE_LIMITS.subjectLength);
});

for (const backend of backends) {
  describe(`messages and mail on ${backend.kind}`, () => {
    let store: Store;
    let now = T0;
    let alice: { id: number; handle: string };
    let bob: { id: number; handle: string };
    before(async () => {
      store = await openStore({ ...(await backend.fresh()), clock: () => now });
      alice = await store.users.create({ handle: 'Alice', password: 'wonderland 1' });
      bob = await store.users.create({ handle: 'Bob', password: 'builder 123' });
    });
    after(() => store.close());

    test('a post is stored whole and a reply joins its thread', async () => {
      const root = await store.messages.post({ area: 'general', fromUserId: alice.id, fromHandle: 'Alice', subject: 'Hi all', body: 'line one\r\nline two\n\n' });
      assert.equal(root.threadId, root.id);
      assert.equal(root.toHandle, 'All');
      assert.equal(root.body, 'line one\nline two');
      const got = await store.messages.get(root.id);
      assert.deepEqual(got, root);
      const reply = await store.messages.post({ area: 'general', fromUserId: bob.id, fromHandle: 'Bob', toHandle: 'Alice', subject: replySubject(root.subject), body: 'A> line one\nhello', parentId: root.id });
      assert.equal(reply.parentId, root.id);
      assert.equal(reply.threadId, root.id);
      const again = await store.messages.post({ area: 'general', fromHandle: 'Alice', subject: replySubject(reply.subject), body: 'x', parentId: reply.id });
      assert.equal(again.subject, 'Re: Hi all');
      assert.equal(again.threadId, root.id);
      assert.deepEqual((await store.messages.thread(root.id)).map((m) => m.id), [root.id, reply.id, again.id]);
    });

    test('escape sequences and controls are kept as text, and the body is capped', async () => {
      const m = await store.messages.post({ area: 'general', fromHandle: 'x', subject: '\x1b[2Jevil\x07', body: `\x1b[31mred\n${'y'.repeat(70_000)}` });
      assert.equal(m.subject, '\x1b[2Jevil\x07');
      assert.ok(m.body.startsWith('\x1b[31mred'));
      assert.ok(Buffer.byteLength(m.body) <= MESSAGE_LIMITS.bodyBytes);
      assert.equal((await store.messages.get(m.id))?.body, m.body);
      await assert.rejects(store.messages.post({ area: 'general', fromHandle: 'x', subject: '  ', body: 'b' }), (e) => isCarrierError(e, 'VALIDATION'));
      await assert.rejects(store.messages.post({ area: 'general', fromHandle: 'x', subject: 's', body: ' \n ' }), (e) => isCarrierError(e, 'VALIDATION'));
    });

    test('a reply to a message that is gone is refused', async () => {
      await assert.rejects(store.messages.post({ area: 'general', fromHandle: 'x', subject: 's', body: 'b', parentId: 999_999 }), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('two replies to one message at once both succeed', async () => {
      const root = await store.messages.post({ area: 'race', fromHandle: 'Alice', subject: 'race', body: 'go' });
      const [a, b] = await Promise.all([
        store.messages.post({ area: 'race', fromHandle: 'Alice', subject: 'Re: race', body: 'one', parentId: root.id }),
        store.messages.post({ area: 'race', fromHandle: 'Bob', subject: 'Re: race', body: 'two', parentId: root.id }),
      ]);
      assert.notEqual(a.id, b.id);
      assert.equal((await store.messages.thread(root.id)).length, 3);
    });

    test('last-read pointers: new-scan counts, marking read never moves back, mark all read', async () => {
      const m1 = await store.messages.post({ area: 'scan-a', fromHandle: 'Alice', subject: 'one', body: 'b' });
      const m2 = await store.messages.post({ area: 'scan-a', fromHandle: 'Alice', subject: 'two', body: 'b' });
      const m3 = await store.messages.post({ area: 'scan-b', fromHandle: 'Alice', subject: 'three', body: 'b' });
      assert.deepEqual(await store.messages.scan(bob.id, ['scan-a', 'scan-b', 'empty']), [
        { area: 'scan-a', count: 2, firstId: m1.id },
        { area: 'scan-b', count: 1, firstId: m3.id },
        { area: 'empty', count: 0, firstId: null },
      ]);
      await store.messages.markRead(bob.id, 'scan-a', m2.id);
      await store.messages.markRead(bob.id, 'scan-a', m1.id);
      assert.equal(await store.messages.lastRead(bob.id, 'scan-a'), m2.id);
      assert.equal((await store.messages.scan(bob.id, ['scan-a']))[0]?.count, 0);
      await store.messages.markAllRead(bob.id, ['scan-b']);
      assert.equal((await store.messages.scan(bob.id, ['scan-b']))[0]?.count, 0);
      assert.equal((await store.messages.scan(alice.id, ['scan-b']))[0]?.count, 1);
    });

    test('list pages forwards and backwards', async () => {
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await store.messages.post({ area: 'paged', fromHandle: 'A', subject: `s${i}`, body: 'b' })).id);
      assert.deepEqual((await store.messages.list('paged', { limit: 2 })).map((m) => m.id), ids.slice(0, 2));
      assert.deepEqual((await store.messages.list('paged', { afterId: ids[1]!, limit: 2 })).map((m) => m.id), ids.slice(2, 4));
      assert.deepEqual((await store.messages.list('paged', { beforeId: ids[4]!, limit: 2 })).map((m) => m.id), [ids[3], ids[2]]);
      assert.equal(await store.messages.count('paged'), 5);
    });

    test('search is case-insensitive over subject, body and author, and stays in the areas given', async () => {
      const a = await store.messages.post({ area: 'search-a', fromHandle: 'Zaphod', subject: 'Towel day', body: 'Bring your TOWEL' });
      const b = await store.messages.post({ area: 'search-b', fromHandle: 'Arthur', subject: 'tea', body: 'Where is my towel?' });
      assert.deepEqual((await store.messages.search('towel', ['search-a', 'search-b'], 10)).map((m) => m.id), [b.id, a.id]);
      assert.deepEqual((await store.messages.search('TOWEL', ['search-a'], 10)).map((m) => m.id), [a.id]);
      assert.deepEqual((await store.messages.search('zaph', ['search-a', 'search-b'], 10)).map((m) => m.id), [a.id]);
      assert.deepEqual((await store.messages.search('towel tea', ['search-a', 'search-b'], 10)).map((m) => m.id), [b.id]);
      assert.deepEqual(await store.messages.search('"*) OR 1=1 --', ['search-a'], 10), []);
      assert.deepEqual(await store.messages.search('', ['search-a'], 10), []);
      await store.messages.move(a.id, 'search-b');
      assert.deepEqual((await store.messages.search('towel', ['search-a'], 10)).map((m) => m.id), []);
      assert.equal(await store.messages.remove(b.id), true);
      assert.equal(await store.messages.remove(b.id), false);
      assert.deepEqual((await store.messages.search('towel', ['search-b'], 10)).map((m) => m.id), [a.id]);
    });

    test('posting is rate-limited per user', async () => {
      const rate = { max: 2, windowMs: 60_000 };
      now = T0 + 1_000_000;
      await store.messages.post({ area: 'flood', fromUserId: alice.id, fromHandle: 'Alice', subject: 's', body: 'b', rate });
      await store.messages.post({ area: 'flood', fromUserId: alice.id, fromHandle: 'Alice', subject: 's', body: 'b', rate });
      await assert.rejects(store.messages.post({ area: 'flood', fromUserId: alice.id, fromHandle: 'Alice', subject: 's', body: 'b', rate }), (e) => isCarrierError(e, 'LIMIT_EXCEEDED'));
      await store.messages.post({ area: 'flood', fromUserId: bob.id, fromHandle: 'Bob', subject: 's', body: 'b', rate });
      now += 61_000;
      await store.messages.post({ area: 'flood', fromUserId: alice.id, fromHandle: 'Alice', subject: 's', body: 'b', rate });
    });

    test('the new-scan-at-login setting is kept on the user', async () => {
      assert.equal(await store.messages.newScanAtLogin(bob.id), false);
      await store.messages.setNewScanAtLogin(bob.id, true);
      assert.equal(await store.messages.newScanAtLogin(bob.id), true);
      await assert.rejects(store.messages.setNewScanAtLogin(123_456, true), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('mail: send by handle in any case, unread count, read, each side deletes its own copy', async () => {
      await assert.rejects(store.mail.send({ fromUserId: alice.id, fromHandle: 'Alice', to: 'nobody', subject: 's', body: 'b' }), (e) => isCarrierError(e, 'NOT_FOUND'));
      const m = await store.mail.send({ fromUserId: alice.id, fromHandle: 'Alice', to: ' bOB ', subject: 'secret', body: 'psst' });
      assert.equal(m.toHandle, 'Bob');
      assert.equal(await store.mail.unreadCount(bob.id), 1);
      assert.equal(await store.mail.unreadCount(alice.id), 0);
      assert.deepEqual((await store.mail.inbox(bob.id, 10)).map((x) => x.id), [m.id]);
      assert.deepEqual((await store.mail.sent(alice.id, 10)).map((x) => x.id), [m.id]);
      assert.equal((await store.mail.open(bob.id, m.id))?.body, 'psst');
      const carol = await store.users.create({ handle: 'Carol', password: 'nosy parker 1' });
      assert.equal(await store.mail.open(carol.id, m.id), null);
      await store.mail.markRead(alice.id, m.id);
      assert.equal(await store.mail.unreadCount(bob.id), 1);
      await store.mail.markRead(bob.id, m.id);
      assert.equal(await store.mail.unreadCount(bob.id), 0);
      assert.equal(await store.mail.remove(carol.id, m.id), false);
      assert.equal(await store.mail.remove(bob.id, m.id), true);
      assert.deepEqual(await store.mail.inbox(bob.id, 10), []);
      assert.equal((await store.mail.open(alice.id, m.id))?.id, m.id);
      assert.equal(await store.mail.remove(alice.id, m.id), true);
      assert.equal(await store.knex('mail').where({ id: m.id }).first(), undefined);
    });
  });

  describe(`a message's recipient is an account, not a handle, on ${backend.kind}`, () => {
    /** As the sysop's `user delete` does it: what the account wrote stays, the account goes. */
    const deleteAccount = async (store: Store, id: number): Promise<void> => {
      await store.knex('messages').where({ from_user_id: id }).update({ from_user_id: null, from_handle: 'deleted user' });
      await store.knex('mail').where({ from_user_id: id }).update({ from_user_id: null, from_handle: 'deleted user' });
      assert.equal(await store.knex('users').where({ id }).del(), 1);
    };

    test('To: a handle addresses its account now; a later account of that handle gets none of it, in messages or mail', async () => {
      let now = T0;
      const store = await openStore({ ...(await backend.fresh()), clock: () => now });
      try {
        const alice = await store.users.create({ handle: 'Alice', password: 'wonderland 1' });
        const oldBob = await store.users.create({ handle: 'Bob', password: 'builder 123' });
        const post = (to: string, subject: string) => {
          now += 1000;
          return store.messages.post({ area: 'general', fromUserId: alice.id, fromHandle: 'Alice', toHandle: to, subject, body: 'b' });
        };
        const toOld = await post(' bOB ', 'for the first Bob');
        assert.equal(toOld.toHandle, 'Bob');
        assert.equal(toOld.toUserId, oldBob.id);
        assert.equal((await post('Nobody Here', 'to a name')).toUserId, null);
        assert.equal((await post('', 'to all')).toUserId, null);
        await post('Bob', 'elsewhere');
        await store.messages.post({ area: 'private', fromUserId: alice.id, fromHandle: 'Alice', toHandle: 'Bob', subject: 'hidden area', body: 'b' });
        assert.equal(await store.messages.countToUser(oldBob.id, ['general']), 2);
        assert.equal(await store.messages.countToUser(oldBob.id, ['general', 'private']), 3);
        await store.messages.markRead(oldBob.id, 'general', toOld.id);
        assert.equal(await store.messages.countToUser(oldBob.id, ['general']), 1);
        assert.equal(await store.messages.countToUser(oldBob.id, []), 0);
        await store.mail.send({ fromUserId: alice.id, fromHandle: 'Alice', to: 'Bob', subject: 'private', body: 'for the first Bob' });
        assert.equal(await store.mail.unreadCount(oldBob.id), 1);

        await deleteAccount(store, oldBob.id);
        now += 1000;
        const newBob = await store.users.create({ handle: 'bob', password: 'another 123' });
        assert.notEqual(newBob.id, oldBob.id);
        assert.equal(await store.messages.countToUser(newBob.id, ['general', 'private']), 0);
        assert.equal((await store.messages.get(toOld.id))?.toUserId, null);
        assert.equal((await store.messages.get(toOld.id))?.toHandle, 'Bob');
        assert.equal(await store.mail.unreadCount(newBob.id), 0);
        assert.deepEqual(await store.mail.inbox(newBob.id, 10), []);
        const toNew = await post('BOB', 'for the second bob');
        assert.equal(toNew.toUserId, newBob.id);
        assert.equal(toNew.toHandle, 'bob');
        assert.equal(await store.messages.countToUser(newBob.id, ['general']), 1);
      } finally {
        await store.close();
      }
    });

    test('the migration ties messages already addressed to a handle to the account that had it then', async () => {
      let now = T0;
      const store = await openStore({ ...(await backend.fresh()), clock: () => now });
      try {
        await store.knex.migrate.down({ migrationSource: migrationSource(), name: '0090_message_recipient' });
        assert.equal(await store.knex.schema.hasColumn('messages', 'to_user_id'), false);
        const ann = await store.users.create({ handle: 'Ann', password: 'wonderland 1' });
        const row = (to: string, at: number) => ({ area: 'general', from_handle: 'x', to_handle: to, subject: 's', body: 'b', created_at: at });
        // to a handle before its account was made (the handle was somebody else's then), to Ann after, to All
        await store.knex('messages').insert([row('Ann', ann.createdAt - 1), row('Ann', ann.createdAt + 1), row('ann', ann.createdAt + 2), row('All', ann.createdAt + 3)]);
        now += 1;
        await store.knex.migrate.latest({ migrationSource: migrationSource() });
        const tied = (await store.knex('messages').orderBy('id').select('to_user_id')) as Array<{ to_user_id: number | null }>;
        assert.deepEqual(tied.map((r) => (r.to_user_id === null ? null : Number(r.to_user_id))), [null, ann.id, ann.id, null]);
        assert.equal(await store.messages.countToUser(ann.id, ['general']), 2);
      } finally {
        await store.close();
      }
    });
  });
}
