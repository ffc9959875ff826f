// A caller who leaves chat and logs off on one node while Redis is away: the other node
// never hears the leave. When Redis is back, chat rebuilds its members from presence (as
// presence itself is republished), so the room stops listing the caller (issue 18.5).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Carrier } from '../harness.js';
import type { RawTelnet } from '../raw-telnet.js';
import { plain, waitForScreen } from './callers.js';
import { startOutagePair, type OutagePair } from './outage-pair.js';
import { findPostgres, type PrivateRedis } from './services.js';

const pg = await findPostgres();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : false;

/** `/who` in chat: the members the room lists, as the caller reads them. */
async function members(c: RawTelnet): Promise<string> {
  const from = c.text().length;
  c.send('/who\r');
  // The whole line (to the colour reset that ends it), not a fixed wait after its start.
  await c.waitFor(/In #lobby:[^\x1b\r\n]*\x1b\[0m/, 10_000, from);
  const line = /In #lobby:([^\r\n]*)/.exec(plain(c.text().slice(from)));
  return line?.[1] ?? '';
}

describe('chat members after a Redis outage', { skip, timeout: 120_000 }, () => {
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

  it('a caller who left chat and logged off during the outage leaves the room once Redis is back', async () => {
    ann.send('c');
    await waitForScreen(ann, /You are in #lobby/);
    bob.send('c');
    await waitForScreen(bob, /You are in #lobby/);
    await waitForScreen(ann, /bob joined #lobby/);
    assert.match(await members(ann), /\bbob\b/, 'bob is listed before the outage');

    await redis.kill();
    await waitForScreen(ann, /link to the other nodes is down/);
    await waitForScreen(bob, /link to the other nodes is down/);
    let from = bob.text().length;
    bob.send('/quit\r');
    await bob.waitFor('Command:', 10_000, from);
    from = bob.text().length;
    bob.send('g');
    for (const deadline = Date.now() + 15_000; !bob.closed && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    assert.equal(bob.closed, true, `bob logged off: ${JSON.stringify(plain(bob.text().slice(from)).slice(-300))}`);
    assert.match(await members(ann), /\bbob\b/, 'ann never heard bob leave while the link was down');

    await redis.start();
    await waitForScreen(ann, /link to the other nodes is back/, 15_000);
    const backAt = Date.now();
    let list = await members(ann);
    while (/\bbob\b/.test(list) && Date.now() - backAt < 20_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      list = await members(ann);
    }
    assert.doesNotMatch(list, /\bbob\b/, `bob still listed ${Date.now() - backAt} ms after the link came back: ${list}`);
    assert.match(list, /\bann\b/);
  });
});
