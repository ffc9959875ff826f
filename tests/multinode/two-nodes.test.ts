// Two carrier processes on different ports, one board: they share PostgreSQL and the Redis
// bus. A telnet caller on A and an OpenSSH caller on B see each other; sysop actions reach
// a session on the other process; kill -9 of B clears B's callers from A within 10 s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisBus } from '@carrier/engine';
import { createMemoryLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';
import { plain, waitForScreen, whoIsOnline, whoIsOnlineUntil } from './callers.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, SshCaller, uniquePrefix } from './services.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;

describe('two carrier processes sharing PostgreSQL and Redis', { skip, timeout: 120_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  const callers: Array<{ close(): void }> = [];

  before(async () => {
    await addUsers(pg!, schema, [
      { handle: 'ann', password: 'ann-on-node-a' },
      { handle: 'bob', password: 'bob-on-node-b' },
      { handle: 'cid', password: 'cid-on-node-b' },
    ]);
    const yaml = [
      `database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`,
      `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`,
    ].join('\n');
    [a, b] = await Promise.all([
      startCarrier({ yaml: `${yaml}\nhealth: { port: 0 }`, ssh: true, logLevel: 'info' }),
      startCarrier({ yaml, ssh: true, logLevel: 'info' }),
    ]);
    assert.notEqual(a.ports.telnet, b.ports.telnet);
  });
  after(async () => {
    for (const c of callers) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
  });

  let ann: RawTelnet;
  let bob: SshCaller;

  it("a telnet caller on A and an ssh caller on B see each other in who's online", async () => {
    ann = await loginRaw(a.ports.telnet!, 'ann', 'ann-on-node-a', { size: { cols: 80, rows: 24 } });
    callers.push(ann);
    bob = new SshCaller(b.ports.ssh!, 'bob', 'bob-on-node-b');
    callers.push(bob);
    await bob.waitFor('Command:');
    const seenByAnn = await whoIsOnline(ann);
    assert.match(seenByAnn, /\bann\s+telnet\b/);
    assert.match(seenByAnn, /\bbob\s+ssh\b/);
    const seenByBob = await whoIsOnline(bob);
    assert.match(seenByBob, /\bann\s+telnet\b/);
    assert.match(seenByBob, /\bbob\s+ssh\b/);
    // Node numbers are the board's, not each process's: two callers, two different nodes.
    const nodes = [...seenByAnn.matchAll(/\b(\d+)\s+(ann|bob)\s/g)].map((m) => m[1]);
    assert.equal(nodes.length, 2, seenByAnn);
    assert.equal(new Set(nodes).size, 2, seenByAnn);
  });

  it("A's metrics and `carrier status` on B count the whole board: two processes, a telnet and an ssh caller", async () => {
    const port = (await a.waitForLog((l) => l['event'] === 'health.listen'))['port'] as number;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const line of ['carrier_processes 2', 'carrier_callers{protocol="telnet"} 1', 'carrier_callers{protocol="ssh"} 1', 'carrier_database_up 1']) {
      assert.ok(metrics.split('\n').includes(line), `${line} in\n${metrics}`);
    }
    assert.match(metrics, /^carrier_bus_connected\{process="[^"]+",kind="redis"\} 1$/m);
    assert.match(metrics, /^carrier_db_pool_max\{process="[^"]+"\} 10$/m);
    const status = await b.cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^board: 2 processes, 2 callers \(telnet 1, ssh 1\), 0 logging in, 2 nodes in use$/m);
    assert.match(status.stdout, /^database: up$/m);
  });

  it('they chat in one room: joins and lines cross the processes both ways', async () => {
    let from = ann.text().length;
    ann.send('c');
    await ann.waitFor('You are in #lobby', 10_000, from);
    const bobFrom = bob.text().length;
    bob.send('c');
    await bob.waitFor('You are in #lobby', 10_000, bobFrom);
    await ann.waitFor(/bob joined #lobby/, 10_000, from);
    from = ann.text().length;
    bob.send('hello from node B\r');
    await ann.waitFor(/hello from node B/, 10_000, from);
    assert.match(plain(ann.text().slice(from)), /<bob>\s+hello from node B/);
    const bobAt = bob.text().length;
    ann.send('and hello from node A\r');
    await bob.waitFor(/and hello from node A/, 10_000, bobAt);
    assert.match(plain(bob.text().slice(bobAt)), /<ann>\s+and hello from node A/);
    for (const c of [ann, bob]) {
      const at = c.text().length;
      c.send('/quit\r');
      await c.waitFor('Command:', 10_000, at);
    }
  });

  it("a page from the telnet caller on A pops up on the ssh caller's screen on B", async () => {
    const from = ann.text().length;
    ann.send('w');
    await ann.waitFor(/Space back/, 10_000, from);
    // The list starts on the caller's own row; walk to Bob's (both rows drawn first: a busy
    // machine may draw the list in more than one write).
    const listed = (): (string | undefined)[] => [...plain(ann.text().slice(from)).matchAll(/\b\d+\s+(ann|bob)\s+(?:telnet|ssh)\b/g)].map((m) => m[1]);
    await eventually(() => listed().includes('ann') && listed().includes('bob'), () => `both rows in who's online: ${listed().join(',')}`, { timeoutMs: 10_000 });
    const rows = listed();
    const steps = rows.indexOf('bob') - rows.indexOf('ann');
    assert.ok(rows.includes('bob') && rows.includes('ann'), rows.join(','));
    ann.send((steps > 0 ? '\x1b[B' : '\x1b[A').repeat(Math.abs(steps)));
    ann.send('p');
    await waitForScreen(ann, /Page bob:/);
    ann.send('coffee on node A?\r');
    await waitForScreen(ann, /Paged bob\./);
    await waitForScreen(bob, /Page from ann \(node \d+\): coffee on node A\?/);
    const at = ann.text().length;
    ann.send(' ');
    await ann.waitFor('Command:', 10_000, at);
  });

  it("a sysop message and a disconnect reach the caller's session on the other process", async () => {
    // A third process on the bus, as a sysop tool would be: it finds Bob in presence and
    // addresses his session; only B holds it.
    const sysop = await RedisBus.connect({ url: redis!, keyPrefix: prefix, log: createMemoryLogger(), processId: 'sysop-tool:1' });
    try {
      const entry = (await sysop.presence.snapshot()).find((e) => e.handle === 'bob');
      assert.ok(entry, 'bob is in presence');
      assert.notEqual(entry.processId, 'sysop-tool:1');
      const from = bob.text().length;
      sysop.publish('session.message', { sessionId: entry.sessionId, from: 'sysop', text: 'backup at midnight' });
      await bob.waitFor('sysop: ', 10_000, from);
      await bob.waitFor('backup at midnight', 10_000, from);

      const cid = new SshCaller(b.ports.ssh!, 'cid', 'cid-on-node-b');
      callers.push(cid);
      await cid.waitFor('Command:');
      const cidEntry = (await sysop.presence.snapshot()).find((e) => e.handle === 'cid');
      assert.ok(cidEntry);
      sysop.publish('session.disconnect', { sessionId: cidEntry.sessionId, reason: 'maintenance', by: 'sysop' });
      await cid.waitFor('Disconnected: maintenance', 10_000);
      await whoIsOnlineUntil(ann, (list) => !/\bcid\b/.test(list), 5_000);
    } finally {
      await sysop.close();
    }
  });

  // How soon is a benchmark's (tools/bench/scaling.ts heal, docs/benchmarks.md: about 2 s);
  // a time limit here would measure the shared machine's load.
  it("kill -9 of process B: A's who's online no longer shows B's caller", async () => {
    assert.match(await whoIsOnline(ann), /\bbob\b/);
    b.process.kill('SIGKILL');
    const { list } = await whoIsOnlineUntil(ann, (l) => !/\bbob\b/.test(l), 30_000);
    assert.match(list, /\bann\s+telnet\b/, 'A and its own caller carry on');
  });
});
