import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plural } from './plural.js';

test('one is singular; none, many and fractions are plural', () => {
  assert.equal(plural(1, 'message'), '1 message');
  assert.equal(plural(0, 'message'), '0 messages');
  assert.equal(plural(2, 'file'), '2 files');
  assert.equal(plural(1.5, 'minute'), '1.5 minutes');
  assert.equal(plural(2, 'reply', 'replies'), '2 replies');
  assert.equal(plural(1, 'reply', 'replies'), '1 reply');
});
