import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst up to its capacity, then refuses', () => {
    let now = 0;
    const budget = new TokenBucket(3, 1, () => now);
    assert.deepEqual([budget.take(), budget.take(), budget.take(), budget.take()], [true, true, true, false]);
  });

  it('refills at its rate, never beyond its capacity', () => {
    let now = 0;
    const budget = new TokenBucket(2, 10, () => now);
    budget.take();
    budget.take();
    assert.equal(budget.take(), false);
    now += 100;
    assert.equal(budget.take(), true, 'one token after 100 ms at 10/s');
    assert.equal(budget.take(), false);
    now += 60_000;
    assert.deepEqual([budget.take(), budget.take(), budget.take()], [true, true, false]);
  });

  it('refills by whole ms times its rate: 290 ms at 100/s is 29 tokens', () => {
    // (290 / 1000) * 100 is 28.999999999999996 in floating point: a key short.
    let now = 0;
    const budget = new TokenBucket(1000, 100, () => now);
    budget.spend(1000);
    now += 290;
    assert.equal(budget.available(), 29);
    assert.equal(budget.take(29), true);
  });

  it('says how many tokens it holds, a fraction while it refills, without spending them', () => {
    let now = 0;
    const budget = new TokenBucket(10, 100, () => now);
    assert.equal(budget.available(), 10);
    assert.equal(budget.take(10), true);
    now += 25;
    assert.equal(budget.available(), 2.5);
    assert.equal(budget.available(), 2.5, 'reading spends nothing');
    assert.equal(budget.take(3), false);
    assert.equal(budget.take(2), true);
    assert.equal(budget.available(), 0.5);
  });

  it('spend() goes into debt, which the refill repays before the next take', () => {
    let now = 0;
    const budget = new TokenBucket(2, 10, () => now);
    budget.spend(5);
    assert.equal(budget.available(), -3);
    assert.equal(budget.take(), false);
    now += 300;
    assert.equal(budget.take(), false, '0 tokens after 300 ms at 10/s');
    now += 100;
    assert.equal(budget.take(), true);
  });

  it('says how long until it holds n tokens: 0 when it does, the refill time of what is missing, a debt first', () => {
    let now = 0;
    const budget = new TokenBucket(4, 10, () => now);
    assert.equal(budget.msUntil(), 0);
    assert.equal(budget.take(4), true);
    assert.equal(budget.msUntil(), 100, 'one token at 10/s');
    assert.equal(budget.msUntil(3), 300);
    now += 40;
    assert.equal(budget.msUntil(), 60, 'what is left of the refill, not a whole period');
    now += 60;
    assert.equal(budget.msUntil(), 0);
    assert.equal(budget.take(), true);
    budget.spend(3);
    assert.equal(budget.msUntil(), 400, 'a debt of 3 is repaid before the next token');
    const slow = new TokenBucket(1, 3, () => now);
    slow.take();
    assert.equal(slow.msUntil(), 334, 'rounded up to a whole ms: the token is there when the wait ends');
    now += slow.msUntil();
    assert.equal(slow.take(), true);
  });

  it('keeps up with a steady pace under its rate indefinitely', () => {
    let now = 0;
    const budget = new TokenBucket(5, 100, () => now);
    for (let i = 0; i < 10_000; i++) {
      now += 20;
      assert.equal(budget.take(), true);
    }
  });
});
