import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryLogger } from './log.js';

test("a field named like a line's own key (t, level, event) is kept beside it, not over it", () => {
  const log = createMemoryLogger();
  log.child({ event: 'base' }).info('control.verb', { verb: 'user.set-level', level: 30, t: 'x' });
  const line = log.lines[0]!;
  assert.equal(line['level'], 'info');
  assert.equal(line['event'], 'control.verb');
  assert.match(String(line['t']), /^\d{4}-\d\d-\d\dT/);
  assert.equal(line['_level'], 30);
  assert.equal(line['_t'], 'x');
  assert.equal(line['_event'], 'base');
  assert.equal(line['verb'], 'user.set-level');
});
