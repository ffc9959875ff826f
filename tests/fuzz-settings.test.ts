// The shared fuzz settings (tools/fuzz/fuzz-settings.ts): what a failing property prints.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../tools/fuzz/fuzz-settings.js';

describe('fuzz()', () => {
  it('prints a counterexample with Backspace and C1 controls escaped, so it pastes back as typed', () => {
    let message = '';
    try {
      fuzz(fc.property(fc.constant(['a', '\x7f', '\x9b']), (keys) => keys.length === 0), 1);
    } catch (err) {
      message = (err as Error).message;
    }
    assert.match(message, /Counterexample/);
    assert.ok(!/[\x7f-\x9f]/.test(message), `raw controls in: ${JSON.stringify(message)}`);
    assert.ok(message.includes('["a","\\u007f","\\u009b"]'), message);
    assert.match(message, /again: node tools\/fuzz\/run\.mjs --seed \d+ --runs 1/);
  });
});
