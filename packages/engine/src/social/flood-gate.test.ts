import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloodGate } from './flood-gate.js';

test('a user may say a burst of lines at once, and the next one is dropped', () => {
  const gate = new FloodGate(2, 3);
  assert.deepEqual([1, 2, 3, 4].map(() => gate.allow('alice', 1000)), [true, true, true, false]);
});

test('after the burst, lines are allowed at the sustained rate', () => {
  const gate = new FloodGate(2, 1);
  assert.equal(gate.allow('alice', 0), true);
  assert.equal(gate.allow('alice', 400), false, 'half a line earned in 400 ms at 2/s is not a line');
  assert.equal(gate.allow('alice', 500), true, 'a whole line earned by 500 ms');
  assert.equal(gate.allow('alice', 600), false);
});

test('waiting never earns more than the burst', () => {
  const gate = new FloodGate(10, 2);
  gate.allow('alice', 0);
  const after = [1, 2, 3].map(() => gate.allow('alice', 60_000));
  assert.deepEqual(after, [true, true, false]);
});

test('one user flooding does not throttle another', () => {
  const gate = new FloodGate(1, 1);
  assert.equal(gate.allow('alice', 0), true);
  assert.equal(gate.allow('alice', 1), false);
  assert.equal(gate.allow('bob', 1), true);
});

test('a clock that steps back earns nothing and breaks nothing', () => {
  const gate = new FloodGate(1, 1);
  assert.equal(gate.allow('alice', 5000), true);
  assert.equal(gate.allow('alice', 1000), false);
});

test('tracking is bounded: idle users are forgotten when many handles appear', () => {
  const gate = new FloodGate(1, 1);
  for (let i = 0; i < 10_000; i++) gate.allow(`u${i}`, 0);
  gate.allow('late', 5000);
  assert.ok(gate.tracked <= 10_000);
  assert.equal(gate.allow('late', 5000), false, 'the newcomer is still counted');
});

test('msUntil says when the next line is allowed, and counts nothing', () => {
  const gate = new FloodGate(2, 1);
  assert.equal(gate.msUntil('alice', 0), 0, 'a user never seen may talk now');
  gate.allow('alice', 0);
  assert.equal(gate.msUntil('alice', 0), 500);
  assert.equal(gate.msUntil('alice', 400), 100);
  assert.equal(gate.msUntil('alice', 400), 100, 'asking again changes nothing');
  assert.equal(gate.allow('alice', 500), true);
});
