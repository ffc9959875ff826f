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

  it('keeps up with a steady pace under its rate indefinitely', () => {
    let now = 0;
    const budget = new TokenBucket(5, 100, () => now);
    for (let i = 0; i < 10_000; i++) {
      now += 20;
      assert.equal(budget.take(), true);
    }
  });
});
