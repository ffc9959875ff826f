// Redis restarted mid-chat: two carrier processes on a test-owned redis-server (never the
// shared one). While it is gone callers stay connected, are told chat is node-local, and
// a line said on one node stays there; when it is back they are told so, presence is
// republished, and chat crosses the nodes again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Carrier } from '../harness.js';
import type { RawTelnet } from '../raw-telnet.js';
import { waitForScreen, whoIsOnlineUntil } from './callers.js';
import { startOutagePair, type OutagePair } from './outage-pair.js';
import { findPostgres, type PrivateRedis } from './services.js';

const pg = await findPostgres();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : false;

describe('Redis restarted mid-chat', { skip, timeout: 120_000 }, () => {
  let pair: OutagePair;
  let redis: PrivateRedis;
  let a: Carrier;
  let b: Carrier;
  let ann: RawTelnet;
  let bob: RawTelnet;

  before(async () => {
    pair = await startOutagePair(pg!);
    ({ redis, a, b, ann, bob } = pair);
  });
  after(() => pair?.close());

  it('chat crosses the nodes before the outage', async () => {
    ann.send('c');
    await waitForScreen(ann, /You are in #lobby/);
    bob.send('c');
    await waitForScreen(bob, /You are in #lobby/);
    await waitForScreen(ann, /bob joined #lobby/);
    bob.send('before the storm\r');
    await waitForScreen(ann, /<bob> before the storm/);
  });

  it('while Redis is gone, callers stay connected, are told, and chat stays on its node', async () => {
    await redis.kill();
    await waitForScreen(ann, /link to the other nodes is down/);
    await waitForScreen(bob, /link to the other nodes is down/);
    ann.send('only node A hears this\r');
    await waitForScreen(ann, /<ann> only node A hears this/);
    // Give a line that should not cross every chance to cross anyway.
    await new Promise((r) => setTimeout(r, 1000));
    assert.doesNotMatch(bob.text(), /only node A hears this/);
    assert.equal(ann.closed, false);
    assert.equal(bob.closed, false);
    assert.ok(a.logs.some((l) => l['event'] === 'bus.link_down'));
  });

  it('when Redis is back, both nodes reconnect, republish presence, and chat crosses again', async () => {
    await redis.start();
    await waitForScreen(ann, /link to the other nodes is back/, 15_000);
    await waitForScreen(bob, /link to the other nodes is back/, 15_000);
    await Promise.all([
      a.waitForLog((l) => l['event'] === 'presence.republished', 10_000),
      b.waitForLog((l) => l['event'] === 'presence.republished', 10_000),
    ]);
    bob.send('the storm has passed\r');
    await waitForScreen(ann, /<bob> the storm has passed/);
    ann.send('welcome back\r');
    await waitForScreen(bob, /<ann> welcome back/);
    // Redis came back empty; who's online on each node shows the other node's caller again.
    const at = ann.text().length;
    ann.send('/quit\r');
    await ann.waitFor('Command:', 10_000, at);
    const { list } = await whoIsOnlineUntil(ann, (l) => /\bbob\b/.test(l), 5_000);
    assert.match(list, /\bann\b/);
  });
});
