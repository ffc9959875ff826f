import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SENT_RANGES, ReadProgress } from './read-progress.js';

const KIB = 1024;

test('a get read in order from 0 completes at the last byte, once, whatever is read twice', () => {
  const p = new ReadProgress(100 * KIB);
  p.note(0, 64 * KIB);
  assert.equal(p.complete, false);
  p.note(0, 64 * KIB);
  p.note(64 * KIB, 36 * KIB);
  assert.equal(p.complete, true);
  p.note(100 * KIB, 0);
  assert.equal(p.sent, 164 * KIB);
});

test('short answers asked for again later, out of order (sftp -B 262144), still complete', () => {
  const p = new ReadProgress(512 * KIB);
  for (const at of [0, 256]) p.note(at * KIB, 64 * KIB); // 256 KiB asked, 64 KiB answered
  for (const at of [64, 320, 128, 384, 192, 448]) p.note(at * KIB, 64 * KIB);
  assert.equal(p.complete, true);
});

test('a resume (reget) from the partial copy completes; one that finds the copy whole, or skips a gap, does not', () => {
  const resumed = new ReadProgress(100);
  resumed.note(60, 40);
  assert.equal(resumed.complete, true);
  const whole = new ReadProgress(100);
  whole.note(100, 0);
  assert.equal(whole.complete, false);
  const gap = new ReadProgress(100);
  gap.note(0, 40);
  gap.note(50, 50);
  assert.equal(gap.complete, false);
  gap.note(40, 10);
  assert.equal(gap.complete, true);
});

test('an empty file completes when a read reaches its end', () => {
  const p = new ReadProgress(0);
  assert.equal(p.complete, false);
  p.note(0, 0);
  assert.equal(p.complete, true);
});

test('a client reading scattered single bytes keeps at most MAX_SENT_RANGES ranges and is not counted', () => {
  const size = (MAX_SENT_RANGES + 10) * 2;
  const p = new ReadProgress(size);
  for (let i = 0; i < size; i += 2) p.note(i, 1);
  for (let i = 1; i < size; i += 2) p.note(i, 1);
  assert.equal(p.complete, false);
  assert.equal(p.sent, size);
});
