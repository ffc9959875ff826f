import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatSettings, DEFAULT_BOARD_CONFIG, DEFAULT_CHAT_SETTINGS, KEY_RATE, MAX_CHAT_REQUEST_TIMEOUT_MS } from '@carrier/engine';
import { schema } from './config-schema.js';

// The config schema is the one place a sysop's defaults and ranges are written; the engine
// (which cannot import the server) keeps its own for boards built without a config file
// (tests, tools). Each pair must agree: this test fails as soon as one side moves alone.
describe('one default for each setting: the config schema and the engine agree', () => {
  it('session timeouts, login tries and line length (board config)', () => {
    assert.equal(schema.session.idleTimeout.default, DEFAULT_BOARD_CONFIG.idleTimeoutMs, 'session.idleTimeout');
    assert.equal(schema.session.loginTimeout.default, DEFAULT_BOARD_CONFIG.loginTimeoutMs, 'session.loginTimeout');
    assert.equal(schema.session.maxDuration.default, DEFAULT_BOARD_CONFIG.maxDurationMs, 'session.maxDuration');
    assert.equal(schema.session.probeTimeout.default, DEFAULT_BOARD_CONFIG.probeTimeoutMs, 'session.probeTimeout');
    assert.equal(schema.session.maxLoginTries.default, DEFAULT_BOARD_CONFIG.maxLoginTries, 'session.maxLoginTries');
    assert.equal(schema.limits.maxLineLength.default, DEFAULT_BOARD_CONFIG.maxLineLength, 'limits.maxLineLength');
    assert.equal(schema.limits.chatRequestTimeout.default, DEFAULT_BOARD_CONFIG.chatRequestTimeoutMs, 'limits.chatRequestTimeout');
    assert.equal(schema.limits.chatRequestTimeout.max, MAX_CHAT_REQUEST_TIMEOUT_MS, 'limits.chatRequestTimeout max');
  });

  it('the key rate (key-input)', () => {
    assert.equal(schema.limits.keysPerSecond.default, KEY_RATE.perSecond, 'limits.keysPerSecond');
    assert.equal(schema.limits.keyBurst.default, KEY_RATE.burst, 'limits.keyBurst');
  });

  it('chat defaults (chat/settings)', () => {
    for (const key of ['maxLineLength', 'floodRate', 'floodBurst', 'historyLines'] as const) {
      assert.equal(schema.chat[key].default, DEFAULT_CHAT_SETTINGS[key], `chat.${key}`);
    }
  });

  it('chat ranges: the engine accepts every value the schema lets through, and refuses the next one out', () => {
    for (const key of ['maxLineLength', 'floodBurst', 'historyLines'] as const) {
      const { min, max } = schema.chat[key];
      assert.equal(chatSettings({ [key]: min })[key], min, `chat.${key} = schema min ${min}`);
      assert.equal(chatSettings({ [key]: max })[key], max, `chat.${key} = schema max ${max}`);
      assert.throws(() => chatSettings({ [key]: min - 1 }), `chat.${key} = ${min - 1} is below both`);
      assert.throws(() => chatSettings({ [key]: max + 1 }), `chat.${key} = ${max + 1} is above both`);
    }
    // floodRate is a whole number in the schema, any positive number in the engine: its range must cover the schema's.
    assert.equal(chatSettings({ floodRate: schema.chat.floodRate.min }).floodRate, schema.chat.floodRate.min);
    assert.equal(chatSettings({ floodRate: schema.chat.floodRate.max }).floodRate, schema.chat.floodRate.max);
    assert.throws(() => chatSettings({ floodRate: schema.chat.floodRate.max + 1 }));
  });
});
