// The database beat and sweep that end a dead process's calls (process-calls.ts), on the
// real SQLite file and PostgreSQL, with the clock in the test's hands.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { openStore, type Store } from '@carrier/store';
import { testBackends } from '@carrier/store/testing';
import { ALONE_DEAD_AFTER_MS, DEAD_AFTER_MS, ProcessWatch, STOP_WAIT_MS } from './process-calls.js';

const { backends, skipped } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
if (skipped !== null) test('PostgreSQL process watch', { skip: skipped }, () => undefined);

const T0 = 1_764_000_000_000;
const SELF = 'host-a:100:aaaa0001';
const OTHER = 'host-b:200:bbbb0002';

async function openAt(store: Store, handle: string, processId: string): Promise<number> {
  return store.calls.start({ handle, protocol: 'telnet', remoteAddress: '192.0.2.9', node: 1, processId });
}

async function openCalls(store: Store): Promise<string[]> {
  const rows = (await store.knex('calls').whereNull('ended_at').select('handle')) as Array<{ handle: string }>;
  return rows.map((r) => r.handle).sort();
}

for (const backend of backends) {
  describe(`the process watch on ${backend.kind}`, () => {
    const fresh = async () => {
      let now = T0;
      const clock = () => now;
      const store = await openStore({ ...(await backend.fresh()), clock });
      return { store, clock, set: (t: number) => (now = t) };
    };

    test('on a shared board a process whose beat stood still for the dead-after time has its calls ended at its last beat, once this one has beaten through that time', async () => {
      const { store, clock, set } = await fresh();
      try {
        const log = createMemoryLogger();
        const other = new ProcessWatch({ store, processId: OTHER, log, alone: false, clock });
        const self = new ProcessWatch({ store, processId: SELF, log, alone: false, clock });
        assert.equal(await other.beat(), true);
        await openAt(store, 'bob', OTHER);
        set(T0 + 5_000);
        await other.beat(); // its last sign of life
        // Long after the other's last beat, but this process has only just started beating:
        // after an outage nobody could beat, so nobody is judged yet.
        set(T0 + 5_000 + DEAD_AFTER_MS + 1);
        await self.beat();
        await openAt(store, 'ann', SELF);
        assert.equal(await self.sweep(), 0);
        set(T0 + 5_000 + 2 * DEAD_AFTER_MS);
        await self.beat();
        assert.equal(await self.sweep(), 0, 'one millisecond short of a whole window of good beats');
        set(T0 + 5_000 + 2 * DEAD_AFTER_MS + 1);
        await self.beat();
        assert.equal(await self.sweep(), 1);
        assert.deepEqual(await openCalls(store), ['ann']);
        const [bob] = (await store.calls.recent(10)).filter((c) => c.handle === 'bob');
        assert.equal(bob!.endReason, 'process died');
        assert.equal(bob!.endedAt, T0 + 5_000, 'ended at the last beat, not at the sweep');
        assert.deepEqual((await store.processes.list()).map((p) => p.id), [SELF], 'the dead one is forgotten');
        const line = log.lines.find((l) => l['event'] === 'calls.ended_for_dead_process');
        assert.deepEqual([line?.['processId'], line?.['calls'], line?.['lastSeenAt']], [OTHER, 1, T0 + 5_000]);
      } finally {
        await store.close();
      }
    });

    test('a live process is never judged dead, nor is one that never beat on a shared board', async () => {
      const { store, clock, set } = await fresh();
      try {
        const log = createMemoryLogger();
        const self = new ProcessWatch({ store, processId: SELF, log, alone: false, clock });
        const other = new ProcessWatch({ store, processId: OTHER, log, alone: false, clock });
        await self.beat();
        await other.beat();
        await openAt(store, 'bob', OTHER);
        // Another board's process from before the table: open calls, no beat.
        await openAt(store, 'cy', 'host-c:300:cccc0003');
        for (let t = 5_000; t <= 3 * DEAD_AFTER_MS; t += 5_000) {
          set(T0 + t);
          await self.beat();
          await other.beat();
          assert.equal(await self.sweep(), 0);
        }
        assert.deepEqual(await openCalls(store), ['bob', 'cy']);
      } finally {
        await store.close();
      }
    });

    test('clocks that disagree do not matter: a beat an hour behind that keeps moving is alive, one an hour ahead that stops is dead', async () => {
      const { store, clock, set } = await fresh();
      try {
        const log = createMemoryLogger();
        const self = new ProcessWatch({ store, processId: SELF, log, alone: false, clock });
        const HOUR = 3_600_000;
        await self.beat();
        for (let t = 0; t <= 3 * DEAD_AFTER_MS; t += 5_000) {
          set(T0 + t);
          await store.processes.beat(OTHER, T0 + t - HOUR);
          if (t === 0) await store.processes.beat('host-c:300:cccc0003', T0 + HOUR);
          await self.beat();
          await self.sweep();
        }
        assert.deepEqual((await store.processes.list()).map((p) => p.id), [OTHER, SELF], 'the fast clock that stopped is gone, the slow one that beats is not');
      } finally {
        await store.close();
      }
    });

    test('an earlier start of this host and pid is dead at once, and a clean stop removes the row', async () => {
      const { store, clock } = await fresh();
      try {
        const log = createMemoryLogger();
        const earlier = 'host-a:100:0dd0dead';
        await store.processes.beat(earlier, T0);
        await openAt(store, 'dee', earlier);
        const self = new ProcessWatch({ store, processId: SELF, log, alone: false, clock });
        await self.start();
        assert.deepEqual(await openCalls(store), []);
        assert.deepEqual((await store.processes.list()).map((p) => p.id), [SELF]);
        await self.stop();
        assert.deepEqual(await store.processes.list(), []);
        assert.equal(await self.beat(), false, 'no beat after the stop');
      } finally {
        await store.close();
      }
    });

    test('a failed beat stops judging until the beats have been good for the dead-after time again', async () => {
      const { store, clock, set } = await fresh();
      const log = createMemoryLogger();
      const self = new ProcessWatch({ store, processId: SELF, log, alone: false, clock });
      await self.beat();
      await store.processes.beat(OTHER, T0);
      await openAt(store, 'bob', OTHER);
      await store.close();
      set(T0 + 2 * DEAD_AFTER_MS);
      assert.equal(await self.beat(), false);
      assert.equal(await self.beat(), false);
      assert.equal(await self.sweep(), 0);
      assert.equal(log.lines.filter((l) => l['event'] === 'process.beat_failed').length, 1, 'one line per outage');
    });
  });
}

describe('a board of one process on SQLite', () => {
  test('every other process in its file is an earlier start of it: ended once not seen for three beats, and calls with no beat at once', async () => {
    const sqlite = backends.find((b) => b.kind === 'sqlite')!;
    let now = T0;
    const clock = () => now;
    const store = await openStore({ ...(await sqlite.fresh()), clock });
    try {
      const log = createMemoryLogger();
      const previous = 'other-host:9:12345678';
      await store.processes.beat(previous, T0 - 6_000);
      await openAt(store, 'eve', previous);
      await store.calls.start({ handle: 'old', protocol: 'telnet', remoteAddress: '192.0.2.1', node: 2 });
      const self = new ProcessWatch({ store, processId: SELF, log, alone: true, clock });
      await self.start();
      assert.deepEqual(await openCalls(store), ['eve'], 'a call from before process ids ends at once; a beat is watched first');
      now = T0 + ALONE_DEAD_AFTER_MS - 1;
      await self.beat();
      assert.equal(await self.sweep(), 0);
      now = T0 + ALONE_DEAD_AFTER_MS;
      await self.beat();
      assert.equal(await self.sweep(), 1);
      assert.deepEqual(await openCalls(store), []);
      const [eve] = (await store.calls.recent(10)).filter((c) => c.handle === 'eve');
      assert.equal(eve!.endedAt, T0, 'never before the call began');
      await self.stop();
    } finally {
      await store.close();
    }
  });
});

describe('a database that stops answering', () => {
  test('holds one beat at a time: the ticks meanwhile are skipped, not queued behind it', async () => {
    let beats = 0;
    let answer: () => void = () => undefined;
    const hung = new Promise<void>((r) => (answer = r));
    const store = {
      kind: 'postgres',
      processes: { beat: () => (++beats === 2 ? hung : Promise.resolve()), list: async () => [], remove: async () => undefined },
      calls: { openProcesses: async () => [], endProcess: async () => 0 },
    } as unknown as Store;
    const watch = new ProcessWatch({ store, processId: SELF, log: createMemoryLogger(), alone: false, beatMs: 10, sweepMs: 1_000 });
    await watch.start();
    // Twenty ticks while the second beat waits on the database.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(beats, 2, 'no beat starts while one is waiting');
    answer();
    await new Promise((r) => setImmediate(r));
    // Queued ticks would all run now, one after another; skipped ones are gone.
    assert.ok(beats <= 3, `${beats - 2} beats ran at once when the database answered`);
    await watch.stop();
  });

  const hungStore = (): Store =>
    ({
      kind: 'postgres',
      processes: { beat: async () => undefined, list: async () => [], remove: () => new Promise<never>(() => undefined) },
      calls: { openProcesses: async () => [], endProcess: async () => 0 },
    }) as unknown as Store;
  /** Every promise callback that is due now has run (setImmediate comes after them). */
  const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

  test('holds a stop up STOP_WAIT_MS at most: on the test\'s clock, not stopped a millisecond short of it, stopped at it', async (t) => {
    const watch = new ProcessWatch({ store: hungStore(), processId: SELF, log: createMemoryLogger(), alone: false });
    await watch.start();
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let stopped = false;
    const stopping = watch.stop().then(() => (stopped = true));
    await settled();
    t.mock.timers.tick(STOP_WAIT_MS - 1);
    await settled();
    assert.equal(stopped, false, 'still waiting for the database');
    t.mock.timers.tick(1);
    await stopping;
    assert.equal(stopped, true);
  });

  test('a stop held up by the database keeps the process alive until it ends (its timer is not unref\'d)', async () => {
    const watch = new ProcessWatch({ store: hungStore(), processId: SELF, log: createMemoryLogger(), alone: false });
    await watch.start();
    // Fails with an unref'd timer: nothing else holds the loop open, and the test file ends
    // with the stop still pending.
    await watch.stop();
  });
});
