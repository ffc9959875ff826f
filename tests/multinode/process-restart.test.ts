// A process that dies leaves no ghosts. An earlier start of a process (a container's PID 1
// under the same hostname) is cleared the moment the new one starts, its callers and
// node numbers with it (issue 18.3); the calls of a process killed with -9 are ended by
// the node that notices, at the time it was last seen alive (issues 18.6, 11.15).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { newProcessId, RedisBus, type ProcessGone } from '@carrier/engine';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw } from '../raw-telnet.js';
import { startPresenceHolder } from './presence-holder.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, inSchema, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skipRedis = !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;
const skipBoth = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : skipRedis;

async function killed(child: ChildProcess): Promise<number> {
  const exited = new Promise((r) => child.once('exit', r));
  const at = Date.now();
  child.kill('SIGKILL');
  await exited;
  return at;
}

describe('a restarted process under the same host and pid', { skip: skipRedis, timeout: 90_000 }, () => {
  const prefix = uniquePrefix();
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await dropPrefix(redis!, prefix);
  });

  it('clears what the earlier start left at once (its callers, its node) and leaves other processes alone', async () => {
    // The earlier start: this test process's host and pid, another random part.
    const earlier = `${hostname()}:${process.pid}:0dd0dead`;
    const other = `${hostname()}:${process.pid + 1_000_000}:a11ve000`;
    const spawnedAt = Date.now();
    const ghost = await startPresenceHolder(earlier, redis!, prefix);
    children.push(ghost.child);
    const live = await startPresenceHolder(other, redis!, prefix);
    children.push(live.child);
    assert.equal(ghost.node, 1);
    const killedAt = await killed(ghost.child);

    // Restarted at once: the earlier start's alive key still has seconds to run.
    const gone: ProcessGone[] = [];
    const bus = await RedisBus.connect({ url: redis!, keyPrefix: prefix, processId: newProcessId(), log: silentLogger, onProcessGone: (g) => gone.push(g) });
    try {
      const shown = await bus.presence.snapshot();
      assert.deepEqual(
        shown.map((e) => e.processId),
        [other],
        `only the live process's caller is shown: ${JSON.stringify(shown.map((e) => [e.processId, e.node]))}`,
      );
      assert.equal(gone.length, 1, JSON.stringify(gone));
      assert.equal(gone[0]!.processId, earlier);
      assert.ok(gone[0]!.lastSeenAt >= spawnedAt && gone[0]!.lastSeenAt <= killedAt, `last seen ${gone[0]!.lastSeenAt}, killed ${killedAt}`);
      // The ghost's node number is free again for a new caller.
      assert.equal(await bus.presence.claimNode('new-caller'), ghost.node);
    } finally {
      await bus.close();
    }
  });
});

describe('the calls of a node killed with -9', { skip: skipBoth, timeout: 120_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  const callers: Array<{ close(): void }> = [];

  before(async () => {
    await addUsers(pg!, schema, [{ handle: 'bea', password: 'bea-on-node-b' }]);
    const yaml = [
      `database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`,
      `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`,
    ].join('\n');
    [a, b] = await Promise.all([startCarrier({ yaml, logLevel: 'info' }), startCarrier({ yaml, logLevel: 'info' })]);
  });
  after(async () => {
    for (const c of callers) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('are ended by the node that notices, at the time the dead node was last seen alive', async () => {
    const bea = await loginRaw(b.ports.telnet!, 'bea', 'bea-on-node-b', { size: { cols: 80, rows: 24 } });
    callers.push(bea);
    await b.waitForLog((l) => l['event'] === 'session.login' && l['user'] === 'bea');
    const killedAt = await killed(b.process);
    const ended = await a.waitForLog((l) => l['event'] === 'calls.ended_for_dead_process', 20_000);
    assert.equal(ended['calls'], 1, JSON.stringify(ended));
    const [call] = await inSchema(pg!, schema, async (store) => (await store.calls.recent(10)).filter((c) => c.handle === 'bea'));
    assert.ok(call, 'bea’s call ended');
    assert.equal(call.endReason, 'process died');
    assert.equal(call.processId, ended['processId']);
    assert.ok(call.endedAt! <= killedAt, `ended at the last heartbeat (${call.endedAt}), before the kill (${killedAt})`);
    // Heartbeats are 2 s apart; a loaded machine may stretch one.
    assert.ok(call.endedAt! >= Math.max(call.startedAt, killedAt - 10_000), `ended ${killedAt - call.endedAt!} ms before the kill`);
  });
});
