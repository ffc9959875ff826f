// Presence heals after kill -9 (issue 18): a process with many callers dies without a
// word; the live processes clear it exactly once between them (one process.gone), every
// one of its callers' presence.leave reaches each of them once, and its node numbers are
// free again. How fast is the bench's business
// (tools/bench/scaling.ts heal, docs/benchmarks.md "Many nodes"), not this test's.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { RedisBus, type ProcessGone } from '@carrier/engine';
import { startPresenceHolder } from './presence-holder.js';
import { dropPrefix, findRedis, uniquePrefix } from './services.js';

const redis = await findRedis();
const CALLERS = 40;

describe('presence after a kill -9', { skip: !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false, timeout: 90_000 }, () => {
  const prefix = uniquePrefix();
  const buses: RedisBus[] = [];
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const b of buses) await b.close();
    await dropPrefix(redis!, prefix);
  });

  it("the live processes clear the dead one once: each caller's leave reaches each of them once, and the nodes are free", async () => {
    const gone: Array<ProcessGone & { by: string }> = [];
    const leaves = new Map<string, string[]>();
    for (const id of ['heal-a:1:aaaa', 'heal-b:2:bbbb']) {
      const bus = await RedisBus.connect({ url: redis!, keyPrefix: prefix, log: createMemoryLogger(), processId: id, onProcessGone: (g) => gone.push({ ...g, by: id }) });
      buses.push(bus);
      leaves.set(id, []);
      bus.subscribe('presence.leave', (p) => leaves.get(id)!.push(p.handle ?? '?'));
    }
    const [a, b] = buses as [RedisBus, RedisBus];
    const victim = 'heal-victim:3:cccc';
    const { child } = await startPresenceHolder(victim, redis!, prefix, CALLERS);
    children.push(child);
    const expected = Array.from({ length: CALLERS }, (_, i) => (i === 0 ? 'ghost' : `ghost${i}`)).sort();
    for (const bus of buses) {
      await eventually(async () => (await bus.presence.snapshot()).filter((e) => e.processId === victim).length === CALLERS, 'the victim\'s callers are listed');
    }
    const nodes = (await a.presence.snapshot()).filter((e) => e.processId === victim).map((e) => e.node);
    const receivedBefore = { a: a.status().received, b: b.status().received };

    const exited = new Promise((r) => child.once('exit', r));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await exited;

    await eventually(() => [...leaves.values()].every((l) => l.length >= CALLERS), 'every leave on both live processes', { timeoutMs: 20_000 });
    // Late duplicates would arrive within a heartbeat or two.
    await new Promise((r) => setTimeout(r, 2_500));
    for (const [id, heard] of leaves) assert.deepEqual([...heard].sort(), expected, `${id} heard each leave once`);
    assert.equal(gone.length, 1, `one reaper, got ${JSON.stringify(gone)}`);
    assert.equal(gone[0]!.processId, victim);
    assert.ok(gone[0]!.lastSeenAt > 0 && gone[0]!.lastSeenAt <= killedAt, 'the last heartbeat is the time it was last seen');
    const reaper = gone[0]!.by === 'heal-a:1:aaaa' ? a : b;
    const other = reaper === a ? b : a;
    assert.equal(other.status().received - (other === a ? receivedBefore.a : receivedBefore.b), CALLERS, 'the other process received each leave from Redis once');
    for (const bus of buses) {
      assert.equal((await bus.presence.snapshot()).filter((e) => e.processId === victim).length, 0, 'no longer listed');
      assert.ok(!(await bus.processes()).some((p) => p.processId === victim), 'no longer a process of the board');
    }
    // Its node numbers are free: the next callers get them, lowest first.
    const claimed: number[] = [];
    for (let i = 0; i < CALLERS; i++) claimed.push(await a.presence.claimNode(`new-${i}`));
    assert.deepEqual(claimed.sort((x, y) => x - y), [...nodes].sort((x, y) => x - y));
  });
});
