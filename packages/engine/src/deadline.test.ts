import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TERMINAL_RESET } from '@carrier/doors';
import { Deadline } from './deadline.js';
import { idleWarning, idleWarningText, lastLine } from './session/farewell.js';
import type { Notice } from './social/notice.js';

// On node:test's mock clock (setTimeout and Date, both of which Deadline reads): a loaded
// machine's pause cannot move a real 300 ms sleep past a 400 ms deadline, or the timers'
// cached loop time before a warning due at 200 ms.
describe('Deadline with a warning', () => {
  it('warns once before it expires; a touch after the warning starts both over', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const events: string[] = [];
    const d = new Deadline(400, () => events.push('expired'), { beforeMs: 200, onWarn: () => events.push('warned') });
    t.mock.timers.tick(300);
    assert.deepEqual(events, ['warned']);
    d.touch();
    t.mock.timers.tick(300);
    assert.deepEqual(events, ['warned', 'warned'], 'warned again, a full lead after the touch');
    t.mock.timers.tick(400);
    assert.deepEqual(events, ['warned', 'warned', 'expired']);
    assert.equal(d.active, false);
  });

  it('a touch before the warning moves it; cancel stops everything', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const events: string[] = [];
    const d = new Deadline(400, () => events.push('expired'), { beforeMs: 200, onWarn: () => events.push('warned') });
    t.mock.timers.tick(100);
    d.touch();
    t.mock.timers.tick(150);
    assert.deepEqual(events, [], 'the warning moved with the touch');
    d.cancel();
    t.mock.timers.tick(500);
    assert.deepEqual(events, []);
  });
});

describe('the idle warning and the last line', () => {
  it('warns a minute ahead, or at half the timeout when that is shorter, with a bell and one notice', () => {
    assert.equal(idleWarning(600_000, { bell: () => undefined, notice: () => undefined }).beforeMs, 60_000);
    assert.equal(idleWarning(8_000, { bell: () => undefined, notice: () => undefined }).beforeMs, 4_000);
    assert.equal(idleWarningText(60_000), 'disconnecting in 1 minute. Press a key to stay.');
    assert.equal(idleWarningText(4_000), 'disconnecting in 4 seconds. Press a key to stay.');
    const said: Array<string | Notice> = [];
    idleWarning(600_000, { bell: (t) => said.push(t), notice: (n) => said.push(n) }).onWarn();
    assert.equal(said[0], '\x07');
    assert.deepEqual({ ...(said[1] as Notice), at: 0 }, { kind: 'system', from: 'You have been idle', text: idleWarningText(60_000), at: 0 });
  });

  it('the last line comes after the terminal reset, on the bottom row over a screen a view owns; a plain terminal gets the line alone', () => {
    assert.equal(lastLine('bye', { screenOwned: false, rows: 25, plain: false }), `${TERMINAL_RESET}\r\nbye\r\n`);
    assert.equal(lastLine('bye \x1b[2J', { screenOwned: true, rows: 25, plain: false }), `${TERMINAL_RESET}\x1b[25;1H\r\nbye\r\n`);
    assert.equal(lastLine('bye', { screenOwned: true, rows: 25, plain: true }), '\r\nbye\r\n');
  });
});
