// Issue 18 item 2, on two nodes: SIGTERM to node B while its callers are in full-screen
// views (who's online, chat). Every caller is told, every call row is ended, and B's own
// stop takes them off the board (their presence.leave is published before B exits, not
// left to the heartbeat TTL), so node A's lists drop them at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { RedisBus } from '@carrier/engine';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { waitForScreen } from './callers.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, inSchema, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;
const SIZE = { cols: 100, rows: 40 };

describe('SIGTERM to one node with callers in full-screen views', { skip, timeout: 120_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  const callers: RawTelnet[] = [];

  before(async () => {
    await addUsers(pg!, schema, [
      { handle: 'alice', password: 'alice-on-node-b' },
      { handle: 'bob', password: 'bob-on-node-b' },
      { handle: 'cid', password: 'cid-on-node-a' },
    ]);
    const yaml = [`database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`, `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`].join('\n');
    [a, b] = await Promise.all([startCarrier({ yaml, logLevel: 'info' }), startCarrier({ yaml, logLevel: 'info' })]);
  });
  after(async () => {
    for (const c of callers) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  it('tells B’s callers, ends their calls, and takes them off the board before B exits', async () => {
    const [alice, bob, cid] = await Promise.all([
      loginRaw(b.ports.telnet!, 'alice', 'alice-on-node-b', { size: SIZE }),
      loginRaw(b.ports.telnet!, 'bob', 'bob-on-node-b', { size: SIZE }),
      loginRaw(a.ports.telnet!, 'cid', 'cid-on-node-a', { size: SIZE }),
    ]);
    callers.push(alice, bob, cid);
    cid.send('c');
    await cid.waitFor('/help for commands', 30_000);
    bob.send('c');
    await bob.waitFor('/help for commands', 30_000);
    await waitForScreen(cid, /bob joined #lobby/, 10_000, SIZE);
    alice.send('w');
    await alice.waitFor("Who's online -", 30_000);

    // A listener on the board's bus, as node A's lists are: when do B's callers leave?
    const leftAt = new Map<string, number>();
    const bus = await RedisBus.connect({ url: redis!, keyPrefix: prefix, log: silentLogger });
    try {
      bus.subscribe('presence.leave', (p) => {
        if (p.handle) leftAt.set(p.handle, Date.now());
      });
      const exited = new Promise<number>((resolve) => b.process.once('exit', () => resolve(Date.now())));
      const termAt = Date.now();
      b.process.kill('SIGTERM');
      const exitAt = await exited;
      assert.equal(b.process.exitCode, 0);
      // B publishes the leaves before it exits; the exit and the Redis message reach this
      // process on two sockets, in either order, so allow the message a moment after the
      // exit. Far less than the heartbeat expiry that would otherwise take them off.
      await eventually(() => leftAt.has('alice') && leftAt.has('bob'), 'both leaves on the bus', { timeoutMs: 1_000 }).catch(() => undefined);
      for (const h of ['alice', 'bob']) {
        const at = leftAt.get(h);
        assert.ok(at !== undefined && at <= exitAt + 500, `${h} left the board as B stopped (left ${at === undefined ? 'never' : at - termAt} ms, exit ${exitAt - termAt} ms after SIGTERM)`);
      }
      assert.ok(b.logs.some((l) => l['event'] === 'board.stopped'), 'B stopped through its graceful stop');
      for (const c of [alice, bob]) {
        await c.waitClosed(10_000);
        assert.match(c.text(), /going down/, 'the caller was told');
      }
      // Node A's chat heard bob go.
      await waitForScreen(cid, /bob (left|hung up)/, 10_000, SIZE);
      const open = await inSchema(pg!, schema, async (store) => (await store.calls.recent(10)).map((c) => c.handle).sort());
      assert.deepEqual(open, ['alice', 'bob'], 'both of B’s call rows were ended');
    } finally {
      await bus.close();
    }
  });
});
