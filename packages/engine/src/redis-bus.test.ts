import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createMemoryLogger, isCarrierError, ErrorCodes } from '@carrier/core';
import type { PresenceEntry } from './presence.js';
import { encodePresenceEntry } from './presence-codec.js';
import { clearProcessPresence, RedisBus } from './redis-bus.js';
import { nodeOwner, redisLayout } from './redis-layout.js';
import { dropPrefix, startPrivateRedis, testRedis, uniquePrefix, type PrivateRedis } from './redis-test-support.js';
import type { Topic, TopicPayload } from './topics.js';
import { eventually } from '@carrier/core/testing';

function entry(sessionId: string, extra: Partial<PresenceEntry> = {}): PresenceEntry {
  return {
    sessionId,
    node: 0,
    handle: null,
    protocol: 'telnet',
    activity: 'main menu',
    connectedAt: 1,
    lastInputAt: 1,
    remoteAddress: '192.0.2.1',
    terminal: { type: 'ansi', cols: 80, rows: 25, encoding: 'cp437' },
    processId: 'ignored',
    ...extra,
  };
}

/** Resolves with the first payload on `topic` that `match` accepts. */
function next<T extends Topic>(bus: RedisBus, topic: T, match: (p: TopicPayload<T>) => boolean = () => true, timeoutMs = 8000): Promise<TopicPayload<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = bus.subscribe(topic, (p) => {
      if (!match(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

const shared = await testRedis();

describe('RedisBus on a shared Redis', { skip: shared.skipped }, () => {
  const url = shared.url!;
  const prefixes: string[] = [];
  const buses: RedisBus[] = [];
  async function pair(): Promise<[RedisBus, RedisBus, string]> {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    const a = await RedisBus.connect({ url, keyPrefix, log: createMemoryLogger(), processId: 'hostA:1' });
    const b = await RedisBus.connect({ url, keyPrefix, log: createMemoryLogger(), processId: 'hostB:2' });
    buses.push(a, b);
    return [a, b, keyPrefix];
  }
  after(async () => {
    for (const b of buses) await b.close();
    for (const p of prefixes) await dropPrefix(url, p);
  });

  it('a publish reaches local subscribers at once and the other process once, never echoing back', async () => {
    const [a, b] = await pair();
    const local: string[] = [];
    const remote: string[] = [];
    a.subscribe('broadcast', (p) => local.push(p.text));
    b.subscribe('broadcast', (p) => remote.push(p.text));
    a.publish('broadcast', { from: 'sysop', text: 'one', at: 1 });
    assert.deepEqual(local, ['one'], 'local delivery is synchronous, as in one process');
    a.publish('broadcast', { from: 'sysop', text: 'two', at: 2 });
    await eventually(() => remote.length === 2, 'remote delivery');
    assert.deepEqual(remote, ['one', 'two'], 'in order');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(local, ['one', 'two'], 'no echo of its own messages from Redis');
  });

  it('hands out board-wide unique node numbers, lowest free first, when two processes claim at once', async () => {
    const [a, b] = await pair();
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).presence.claimNode(`s${i}`)),
    );
    assert.deepEqual([...claims].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1));
    await b.presence.update(entry('s1'));
    await b.presence.remove('s1');
    const freed = claims[1]!;
    assert.equal(await a.presence.claimNode('late'), freed, 'a freed node is reused, by any process');
  });

  it('who is online spans processes, and a leave reaches the other process', async () => {
    const [a, b] = await pair();
    await a.presence.claimNode('ann');
    await a.presence.update(entry('ann', { handle: 'Ann', protocol: 'telnet' }));
    await b.presence.claimNode('bob');
    const joined = next(a, 'presence.join', (e) => e.sessionId === 'bob');
    await b.presence.update(entry('bob', { handle: 'Bob', protocol: 'ssh' }));
    assert.equal((await joined).handle, 'Bob');
    const seenByA = (await a.presence.snapshot()).map((e) => `${e.handle}@${e.processId}#${e.node}`).sort();
    assert.deepEqual(seenByA, ['Ann@hostA:1#1', 'Bob@hostB:2#2']);
    const left = next(a, 'presence.leave', (e) => e.sessionId === 'bob');
    await b.presence.remove('bob');
    assert.equal((await left).node, 2);
    assert.deepEqual((await a.presence.snapshot()).map((e) => e.handle), ['Ann']);
  });

  it("clears a dead process's callers when its heartbeat stops: leave events, free nodes", async () => {
    const [a, , keyPrefix] = await pair();
    // What a process that died by kill -9 leaves behind: its entries, its node claim and
    // an alive key about to expire.
    const layout = redisLayout(keyPrefix);
    const r = new Redis(url);
    try {
      const ghost = entry('ghost-1', { handle: 'Ghost', node: 7, processId: 'hostC:3' });
      await r
        .multi()
        .hset(layout.sessions('hostC:3'), 'ghost-1', encodePresenceEntry(ghost))
        .set(layout.node(7), nodeOwner('hostC:3', 'ghost-1'), 'PX', 60_000)
        .zadd(layout.processes, Date.now(), 'hostC:3')
        .set(layout.alive('hostC:3'), '{"processId":"hostC:3"}', 'PX', 300)
        .exec();
      assert.ok((await a.presence.snapshot()).some((e) => e.handle === 'Ghost'), 'alive at first');
      const left = await next(a, 'presence.leave', (e) => e.sessionId === 'ghost-1');
      assert.deepEqual(left, { sessionId: 'ghost-1', node: 7, handle: 'Ghost', processId: 'hostC:3' });
      assert.equal(await r.exists(layout.node(7)), 0, 'its node is free again');
      assert.ok(!(await a.presence.snapshot()).some((e) => e.handle === 'Ghost'));
    } finally {
      r.disconnect();
    }
  });

  it("a dead process with many callers is reaped once: each caller's leave reaches every process exactly once, every node freed", async () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    const gone: string[] = [];
    const connect = (processId: string): Promise<RedisBus> =>
      RedisBus.connect({ url, keyPrefix, log: createMemoryLogger(), processId, onProcessGone: (g) => gone.push(`${processId} reaped ${g.processId}`) });
    const a = await connect('hostA:1');
    const b = await connect('hostB:2');
    buses.push(a, b);
    const heard = { a: [] as string[], b: [] as string[] };
    a.subscribe('presence.leave', (p) => heard.a.push(p.sessionId));
    b.subscribe('presence.leave', (p) => heard.b.push(p.sessionId));
    const layout = redisLayout(keyPrefix);
    const r = new Redis(url);
    const ghosts = Array.from({ length: 60 }, (_, i) => entry(`ghost-${i}`, { handle: `G${i}`, node: 100 + i, processId: 'hostC:3' }));
    try {
      const multi = r.multi();
      for (const g of ghosts) {
        multi.hset(layout.sessions('hostC:3'), g.sessionId, encodePresenceEntry(g));
        multi.set(layout.node(g.node), nodeOwner('hostC:3', g.sessionId), 'PX', 60_000);
      }
      await multi.zadd(layout.processes, Date.now(), 'hostC:3').set(layout.alive('hostC:3'), '{"processId":"hostC:3"}', 'PX', 300).exec();
      const all = ghosts.map((g) => g.sessionId).sort();
      await eventually(() => heard.a.length >= 60 && heard.b.length >= 60, 'every leave on both processes');
      await new Promise((res) => setTimeout(res, 1500));
      assert.deepEqual([...heard.a].sort(), all, 'A heard each leave once');
      assert.deepEqual([...heard.b].sort(), all, 'B heard each leave once');
      assert.equal(gone.length, 1, `one reaper: ${gone.join(', ')}`);
      assert.equal(await r.exists(...ghosts.map((g) => layout.node(g.node))), 0, 'every node is free again');
      assert.equal(await r.exists(layout.sessions('hostC:3')), 0);
    } finally {
      r.disconnect();
    }
  });

  it("one turn's publishes reach the other process whole and in order, as one batch after the first", async () => {
    const [a, b, keyPrefix] = await pair();
    const watcher = new Redis(url);
    const onChannel: string[] = [];
    try {
      await watcher.subscribe(redisLayout(keyPrefix).channel);
      watcher.on('message', (_c: string, m: string) => onChannel.push(m));
      const local: string[] = [];
      const remote: string[] = [];
      a.subscribe('broadcast', (p) => local.push(p.text));
      b.subscribe('broadcast', (p) => remote.push(p.text));
      const before = { a: a.status(), b: b.status() };
      const texts = Array.from({ length: 300 }, (_, i) => `line ${i}`);
      for (const text of texts) a.publish('broadcast', { from: 'Ann', text, at: 1 });
      await eventually(() => remote.length >= 300, 'all 300 on B');
      await new Promise((res) => setTimeout(res, 200));
      assert.deepEqual(remote, texts, 'whole and in order');
      assert.deepEqual(local, texts, 'locally once each: no echo of its own batch');
      const ours = onChannel.filter((m) => m.includes('line '));
      assert.equal(ours.length, 2, 'the first line at once, the other 299 as one PUBLISH');
      assert.equal(a.status().published - before.a.published, 300, 'counts are per message');
      assert.equal(b.status().received - before.b.received, 300);
    } finally {
      watcher.disconnect();
    }
  });

  it('drops a bad batch whole with one log line, delivering none of it, and keeps working', async () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    const log = createMemoryLogger();
    const a = await RedisBus.connect({ url, keyPrefix, log, processId: 'hostA:8' });
    buses.push(a);
    const heard: string[] = [];
    a.subscribe('broadcast', (p) => heard.push(p.text));
    const r = new Redis(url);
    const good = (text: string): string => JSON.stringify({ o: 'other', t: 'broadcast', p: { from: 'x', text, at: 1 }, s: 1 });
    try {
      const channel = redisLayout(keyPrefix).channel;
      await r.publish(channel, `[${good('first')},{"o":"other","t":"broadcast","p":"not an object","s":1},${good('third')}]`);
      await r.publish(channel, `[${good('x')},`.padEnd(2 * 1024 * 1024, ' '));
      await eventually(() => log.lines.filter((l) => l['event'] === 'bus.message_dropped').length === 2, 'two drops');
      const drops = log.lines.filter((l) => l['event'] === 'bus.message_dropped').map((l) => l['reason']);
      assert.deepEqual(drops, ['batch message 1: payload is not an object', 'batch too long']);
      await r.publish(channel, `[${good('after 1')},${good('after 2')}]`);
      await eventually(() => heard.length === 2, 'the next good batch');
      assert.deepEqual(heard, ['after 1', 'after 2'], 'nothing of the bad batches was delivered');
    } finally {
      r.disconnect();
    }
  });

  it("the cluster primary's clean-up clears a worker's callers at once", async () => {
    const [a, b, keyPrefix] = await pair();
    await b.presence.claimNode('w1');
    await b.presence.update(entry('w1', { handle: 'Walt' }));
    await eventually(async () => (await a.presence.snapshot()).length === 1, 'Walt visible');
    const left = next(a, 'presence.leave', (e) => e.sessionId === 'w1');
    const cleared = await clearProcessPresence({ url, keyPrefix, processId: 'hostB:2', log: createMemoryLogger() });
    assert.equal(cleared, 1);
    assert.equal((await left).handle, 'Walt');
  });

  it('reports processes, link state and a measured lag', async () => {
    const [a] = await pair();
    await eventually(() => a.status().lagMs !== null && a.status().lagMs! > 0, 'a ping round trip');
    const s = a.status();
    assert.equal(s.kind, 'redis');
    assert.equal(s.connected, true);
    const ids = (await a.processes()).map((p) => p.processId).sort();
    assert.deepEqual(ids, ['hostA:1', 'hostB:2']);
  });

  it('drops a malformed message on the channel with a log line, and keeps working', async () => {
    const keyPrefix = uniquePrefix();
    prefixes.push(keyPrefix);
    const log = createMemoryLogger();
    const a = await RedisBus.connect({ url, keyPrefix, log, processId: 'hostA:9' });
    buses.push(a);
    const r = new Redis(url);
    try {
      await r.publish(redisLayout(keyPrefix).channel, '{"o":"x","t":"no.such.topic","p":{},"s":1}');
      await r.publish(redisLayout(keyPrefix).channel, 'not json at all');
      await eventually(() => log.lines.filter((l) => l['event'] === 'bus.message_dropped').length === 2, 'two drops');
      const got = next(a, 'broadcast');
      await r.publish(redisLayout(keyPrefix).channel, '{"o":"other","t":"broadcast","p":{"from":"x","text":"fine","at":1},"s":1}');
      assert.equal((await got).text, 'fine');
    } finally {
      r.disconnect();
    }
  });

  it('fails to start with BUS_UNAVAILABLE, naming the address, when Redis cannot be reached', async () => {
    await assert.rejects(
      RedisBus.connect({ url: 'redis://127.0.0.1:1', keyPrefix: uniquePrefix(), log: createMemoryLogger(), connectTimeoutMs: 2000 }),
      (err: unknown) => isCarrierError(err, ErrorCodes.BUS_UNAVAILABLE) && /127\.0\.0\.1:1/.test(err.message),
    );
  });
});

describe('RedisBus when Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  const buses: RedisBus[] = [];
  before(async () => {
    redis = await startPrivateRedis();
  });
  after(async () => {
    for (const b of buses) await b.close();
    await redis.stop();
  });

  it('degrades to node-local with a bus.link notice, then reconnects and republishes presence', async () => {
    const keyPrefix = uniquePrefix();
    const a = await RedisBus.connect({ url: redis.url, keyPrefix, log: createMemoryLogger(), processId: 'hostA:1' });
    const b = await RedisBus.connect({ url: redis.url, keyPrefix, log: createMemoryLogger(), processId: 'hostB:2' });
    buses.push(a, b);
    await a.presence.update(entry('ann', { handle: 'Ann' }));
    await b.presence.update(entry('bob', { handle: 'Bob' }));
    await eventually(async () => (await a.presence.snapshot()).length === 2, 'both visible');

    const downA = next(a, 'bus.link', (l) => !l.up);
    const downB = next(b, 'bus.link', (l) => !l.up);
    await redis.kill();
    await Promise.all([downA, downB]);
    assert.equal(a.status().connected, false);

    // Node-local: A's own subscribers still hear A; nothing throws; new callers still get a node.
    const heardOnA: string[] = [];
    const heardOnB: string[] = [];
    a.subscribe('broadcast', (l) => heardOnA.push(l.text));
    b.subscribe('broadcast', (l) => heardOnB.push(l.text));
    a.publish('broadcast', { from: 'Ann', text: 'anyone?', at: 1 });
    assert.deepEqual(heardOnA, ['anyone?']);
    assert.deepEqual((await a.presence.snapshot()).map((e) => e.handle), ['Ann'], 'who is online is node-local');
    const offlineNode = await a.presence.claimNode('carl');
    assert.ok(offlineNode !== 1 && offlineNode !== 2, `avoids nodes seen before the outage (got ${offlineNode})`);
    await a.presence.update(entry('carl', { handle: 'Carl' }));

    const upA = next(a, 'bus.link', (l) => l.up, 15_000);
    const upB = next(b, 'bus.link', (l) => l.up, 15_000);
    await redis.start();
    await Promise.all([upA, upB]);
    // Redis came back empty: both processes put their callers back.
    await eventually(async () => (await a.presence.snapshot()).length === 3, 'all three visible from A');
    await eventually(async () => (await b.presence.snapshot()).length === 3, 'all three visible from B');
    const nodes = (await b.presence.snapshot()).map((e) => e.node).sort();
    assert.equal(new Set(nodes).size, 3, 'node numbers still unique');
    await eventually(() => {
      a.publish('broadcast', { from: 'Ann', text: 'back', at: 2 });
      return heardOnB.includes('back');
    }, 'chat across processes again');
    assert.ok(!heardOnB.includes('anyone?'), 'what was said during the outage stayed on its node');
  });

  it('treats a Redis that stops answering with its sockets open (a partition) as gone, and recovers', async () => {
    const log = createMemoryLogger();
    const a = await RedisBus.connect({ url: redis.url, keyPrefix: uniquePrefix(), log, processId: 'hostA:7' });
    buses.push(a);
    const down = next(a, 'bus.link', (l) => !l.up, 15_000);
    redis.pause();
    try {
      await down;
      assert.ok(log.lines.some((l) => l['event'] === 'bus.link_stalled'));
      assert.equal(a.status().connected, false);
    } finally {
      redis.resume();
    }
    await next(a, 'bus.link', (l) => l.up, 20_000);
    assert.equal(a.status().connected, true);
  });
});
