import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountQuota, MAX_QUOTA_KEYS } from './account-quota.js';

function quota(perSource = 3, perNetwork = 6) {
  let now = 1_000_000;
  const q = new AccountQuota({ perSource, perNetwork, windowMs: 3_600_000 }, () => now);
  return { q, advance: (ms: number) => (now += ms) };
}

describe('new accounts per source and per network', () => {
  it('lets an address make three an hour, then refuses until the oldest leaves the window', () => {
    const { q, advance } = quota();
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(q.check('192.0.2.1'), { ok: true });
      q.record('192.0.2.1');
      advance(60_000);
    }
    const no = q.check('192.0.2.1');
    assert.equal(no.ok, false);
    assert.equal(!no.ok && no.scope, 'source');
    assert.equal(!no.ok && no.retryInMs, 3_600_000 - 3 * 60_000);
    assert.deepEqual(q.check('192.0.2.2'), { ok: true }, 'a neighbour is not this address');
    advance(3_600_000 - 3 * 60_000 + 1);
    assert.deepEqual(q.check('192.0.2.1'), { ok: true });
  });

  it('adds a /24 up, so hopping addresses in one network does not help', () => {
    const { q } = quota(3, 6);
    for (let i = 1; i <= 6; i++) q.record(`198.51.100.${i}`);
    const no = q.check('198.51.100.77');
    assert.equal(no.ok, false);
    assert.equal(!no.ok && no.scope, 'network');
    assert.deepEqual(q.check('203.0.113.1'), { ok: true });
  });

  it('stays bounded however many addresses it sees, and sweeps empty windows', () => {
    const { q, advance } = quota();
    for (let i = 0; i < MAX_QUOTA_KEYS + 10; i++) q.record(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    advance(3_600_001);
    q.sweep();
    assert.deepEqual(q.check('10.0.0.1'), { ok: true });
  });
});
