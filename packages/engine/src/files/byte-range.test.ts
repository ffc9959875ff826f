import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byteRange } from './byte-range.js';

describe('the Range a download link serves', () => {
  it('serves one range: from-to, from the offset on, and the last n bytes; an end past the file is cut', () => {
    assert.deepEqual(byteRange('bytes=0-99', 1000), { kind: 'part', start: 0, end: 99 });
    assert.deepEqual(byteRange('bytes=500-', 1000), { kind: 'part', start: 500, end: 999 });
    assert.deepEqual(byteRange('bytes=-100', 1000), { kind: 'part', start: 900, end: 999 });
    assert.deepEqual(byteRange('bytes=-5000', 1000), { kind: 'part', start: 0, end: 999 });
    assert.deepEqual(byteRange('bytes=990-5000', 1000), { kind: 'part', start: 990, end: 999 });
    assert.deepEqual(byteRange('Bytes= 7-7', 1000), { kind: 'part', start: 7, end: 7 });
  });

  it('a range with no byte in the file is unsatisfiable (416)', () => {
    assert.deepEqual(byteRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(byteRange('bytes=2000-3000', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(byteRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(byteRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  });

  it('no Range, another unit, several ranges or a malformed one get the whole file', () => {
    for (const h of [undefined, 'items=0-5', 'bytes=0-1,5-6', 'bytes=-', 'bytes=5-2', 'bytes=abc', `bytes=0-${'9'.repeat(300)}`, 'bytes=99999999999999999-']) {
      assert.deepEqual(byteRange(h, 1000), { kind: 'whole' }, String(h));
    }
  });
});
