import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCarrierError } from '@carrier/core';
import { chatSettings, DEFAULT_CHAT_SETTINGS } from './settings.js';

test('missing and undefined keys take the defaults', () => {
  assert.deepEqual(chatSettings(undefined), DEFAULT_CHAT_SETTINGS);
  assert.deepEqual(chatSettings({ floodRate: undefined, historyLines: 10 }), { ...DEFAULT_CHAT_SETTINGS, historyLines: 10 });
});

test('nonsense is refused with CONFIG_INVALID naming the chat key', () => {
  for (const [key, value] of [
    ['maxLineLength', 5],
    ['maxLineLength', 5000],
    ['floodRate', 0],
    ['floodBurst', 1.5],
    ['historyLines', -1],
    ['historyLines', 10_000],
  ] as const) {
    assert.throws(
      () => chatSettings({ [key]: value }),
      (e) => isCarrierError(e, 'CONFIG_INVALID') && e.details?.['key'] === `chat.${key}`,
      `${key}: ${value}`,
    );
  }
});
