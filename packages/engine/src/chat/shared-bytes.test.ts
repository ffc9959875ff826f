import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeText } from '@carrier/core';
import { sharedBytes } from './shared-bytes.js';

test('the same text in the same encoding is encoded once: every member gets the one Buffer', () => {
  // Built separately, as each member's screen builds its own string.
  const a = sharedBytes(['\x1b[22;1H\r\n', '<load1> ', 'h\u00e9llo \u2592'].join(''), 'cp437');
  const b = sharedBytes(`\x1b[22;1H\r\n<load1> h\u00e9llo \u2592`, 'cp437');
  assert.equal(a, b);
  assert.deepEqual(a, encodeText(`\x1b[22;1H\r\n<load1> h\u00e9llo \u2592`, 'cp437'));
});

test('another encoding or other text gets its own bytes', () => {
  const cp = sharedBytes('h\u00e9llo', 'cp437');
  const utf = sharedBytes('h\u00e9llo', 'utf8');
  assert.notEqual(cp, utf);
  assert.deepEqual(utf, Buffer.from('h\u00e9llo', 'utf8'));
  assert.deepEqual(cp, encodeText('h\u00e9llo', 'cp437'));
  assert.deepEqual(sharedBytes('other', 'utf8'), Buffer.from('other'));
});
