import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { MAX_RECENT_CALLS } from './calls.js';
import { openStore, type Store } from './store.js';
import { testBackends } from './test-backends.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL calls', { skip: skipped }, () => undefined);

const T0 = 1_704_067_200_000;

for (const backend of backends) {
  describe(`calls on ${backend.kind}`, () => {
    let store: Store;
    let now = T0;
    before(async () => {
      store = await openStore({ ...(await backend.fresh()), clock: () => now });
    });
    after(() => store.close());

    const call = (handle: string, node = 1) =>
      store.calls.start({ handle, protocol: 'telnet', remoteAddress: '192.0.2.7', node });

    test('a call is recorded at start and completed at end, with exact times', async () => {
      const user = await store.users.create({ handle: 'Dade', password: 'zero cool was here', location: 'New York' });
      now = T0 + 1000;
      const id = await store.calls.start({ userId: user.id, handle: 'Dade', protocol: 'ssh', remoteAddress: '2001:db8::1', node: 3 });
      now = T0 + 61_000;
      await store.calls.end(id, 'logoff');
      const [latest] = await store.calls.recent(1);
      assert.deepEqual(latest, {
        id,
        userId: user.id,
        handle: 'Dade',
        protocol: 'ssh',
        remoteAddress: '2001:db8::1',
        node: 3,
        startedAt: T0 + 1000,
        endedAt: T0 + 61_000,
        endReason: 'logoff',
        location: 'New York',
        processId: null,
      });
    });

    test('recent lists ended calls only, the latest logon first (the time the list shows), up to the limit', async () => {
      now = T0 + 100_000;
      const a = await call('First');
      now += 1000;
      const b = await call('Second');
      const open = await call('Still Online');
      now += 1000;
      await store.calls.end(b, 'hangup');
      now += 1000;
      // First logged on before Second and stayed longer: it still lists after Second.
      await store.calls.end(a, 'idle timeout');

      const recent = await store.calls.recent(2);
      assert.deepEqual(recent.map((c) => c.handle), ['Second', 'First']);
      assert.ok(recent[0]!.startedAt > recent[1]!.startedAt);
      assert.ok(!(await store.calls.recent(100)).some((c) => c.id === open));
      assert.deepEqual(await store.calls.recent(0), []);
      assert.deepEqual(await store.calls.recent(-5), []);
    });

    test('calls starting in the same millisecond are ordered by id, newest first', async () => {
      now = T0 + 200_000;
      const a = await call('Tie A');
      const b = await call('Tie B');
      await store.calls.end(a, 'hangup');
      await store.calls.end(b, 'hangup');
      assert.deepEqual((await store.calls.recent(2)).map((c) => c.id), [b, a]);
    });

    test('ending a call twice keeps the first end', async () => {
      now = T0 + 300_000;
      const id = await call('Twice');
      now += 5000;
      await store.calls.end(id, 'idle timeout');
      now += 5000;
      await store.calls.end(id, 'socket closed');
      const [c] = await store.calls.recent(1);
      assert.equal(c?.id, id);
      assert.equal(c?.endReason, 'idle timeout');
      assert.equal(c?.endedAt, T0 + 305_000);
    });

    test('an anonymous call (no user yet) is allowed; an unknown user or call is NOT_FOUND', async () => {
      const id = await call('guest?');
      await store.calls.end(id, 'hangup');
      assert.equal((await store.calls.recent(1))[0]?.userId, null);
      await assert.rejects(
        store.calls.start({ userId: 999_999, handle: 'ghost', protocol: 'telnet', remoteAddress: '192.0.2.1', node: 1 }),
        (e) => isCarrierError(e, 'NOT_FOUND'),
      );
      await assert.rejects(store.calls.end(999_999, 'hangup'), (e) => isCarrierError(e, 'NOT_FOUND'));
    });

    test('a bad node number is a VALIDATION error', async () => {
      await assert.rejects(call('Node', -1), (e) => isCarrierError(e, 'VALIDATION'));
      await assert.rejects(call('Node', 1.5), (e) => isCarrierError(e, 'VALIDATION'));
    });

    test('over-long text and NUL bytes are fitted into their columns on both databases', async () => {
      now = T0 + 400_000;
      const id = await store.calls.start({
        handle: 'H\u0000'.repeat(100),
        protocol: 'telnet-with-a-very-long-name',
        remoteAddress: 'a'.repeat(1000),
        node: 1,
      });
      now += 1000;
      await store.calls.end(id, `protocol violation: ${'\u{1f4a9}'.repeat(500)}\u0000`);
      const [c] = await store.calls.recent(1);
      assert.equal(c?.id, id);
      assert.equal(c?.handle, 'H'.repeat(32));
      assert.equal(c?.protocol.length, 16);
      assert.equal(c?.remoteAddress.length, 64);
      assert.equal([...(c?.endReason ?? '')].length, 200);
      assert.ok(!c?.endReason?.includes('\u0000'));
    });

    test('recent never returns more than MAX_RECENT_CALLS', async () => {
      assert.ok((await store.calls.recent(MAX_RECENT_CALLS * 10)).length <= MAX_RECENT_CALLS);
      const rows = Array.from({ length: MAX_RECENT_CALLS + 5 }, (_, i) => ({
        user_id: null, handle: `bulk${i}`, protocol: 'telnet', remote_address: '192.0.2.9', node: 1,
        started_at: T0, ended_at: T0 + 1, end_reason: 'bulk',
      }));
      await store.knex.batchInsert('calls', rows, 200);
      assert.equal((await store.calls.recent(MAX_RECENT_CALLS * 10)).length, MAX_RECENT_CALLS);
    });
  });
}

for (const backend of backends) {
  describe(`calls of a dead process on ${backend.kind}`, () => {
    test('endProcess ends only that process\'s open calls, at its last-seen time or the call\'s start', async () => {
      let now = T0;
      const options = await backend.fresh();
      const dead = await openStore({ ...options, clock: () => now, processId: 'host:1:dead' });
      const live = await openStore({ ...options, clock: () => now, processId: 'host:2:live' });
      try {
        const start = (store: Store, handle: string, node: number) =>
          store.calls.start({ handle, protocol: 'telnet', remoteAddress: '192.0.2.7', node });
        const early = await start(dead, 'Early', 1);
        now = T0 + 5_000;
        const done = await start(dead, 'Done', 2);
        await dead.calls.end(done, 'logoff');
        const other = await start(live, 'Other', 3);
        now = T0 + 9_000;
        const late = await start(dead, 'Late', 4); // started after the dead process was last seen
        assert.deepEqual((await live.calls.openProcesses()).sort(), ['host:1:dead', 'host:2:live']);

        now = T0 + 60_000;
        assert.equal(await live.calls.endProcess('host:1:dead', T0 + 8_000, 'process died'), 2);
        assert.equal(await live.calls.endProcess('host:1:dead', T0 + 8_000, 'process died'), 0, 'ended once');
        const byId = new Map((await live.calls.recent(10)).map((c) => [c.id, c]));
        assert.equal(byId.get(early)?.endedAt, T0 + 8_000);
        assert.equal(byId.get(early)?.endReason, 'process died');
        assert.equal(byId.get(early)?.processId, 'host:1:dead');
        assert.equal(byId.get(late)?.endedAt, T0 + 9_000, 'never before the call started');
        assert.equal(byId.get(done)?.endReason, 'logoff', 'an ended call keeps its end');
        assert.equal(byId.has(other), false, 'the live process keeps its call');
        assert.deepEqual(await live.calls.openProcesses(), ['host:2:live']);
      } finally {
        await dead.close();
        await live.close();
      }
    });
  });
}
