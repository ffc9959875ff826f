import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, serviceMissing } from './testing.js';

describe('eventually', () => {
  it('resolves with the first truthy value the check returns', async () => {
    let n = 0;
    assert.equal(await eventually(() => (++n >= 3 ? `after ${n}` : undefined), 'three checks', { intervalMs: 1 }), 'after 3');
  });

  it('times out naming what it waited for, described lazily', async () => {
    await assert.rejects(eventually(async () => false, () => 'the moon (last seen: none)', { timeoutMs: 30, intervalMs: 5 }), /timed out after 30 ms waiting for the moon \(last seen: none\)/);
  });

  it('fails at once when the check throws', async () => {
    const started = Date.now();
    await assert.rejects(
      eventually(() => {
        throw new Error('wrong state');
      }, 'x'),
      /wrong state/,
    );
    assert.ok(Date.now() - started < 5000);
  });
});

describe('serviceMissing', () => {
  it('returns the skip reason on a developer machine and throws under CI=true', () => {
    const saved = process.env['CI'];
    try {
      delete process.env['CI'];
      assert.equal(serviceMissing('no Redis'), 'no Redis');
      process.env['CI'] = 'false';
      assert.equal(serviceMissing('no Redis'), 'no Redis');
      process.env['CI'] = 'true';
      assert.throws(() => serviceMissing('no Redis'), /no Redis \(CI=true: a missing service fails the run/);
    } finally {
      if (saved === undefined) delete process.env['CI'];
      else process.env['CI'] = saved;
    }
  });
});
