import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PresenceEntry } from '../presence.js';
import { idleText, presenceHeader, presenceRow } from './presence-table.js';
import { fitToWidth } from '../text-fit.js';

const NOW = Date.UTC(2026, 0, 2, 12, 0, 0);
const entry = (over: Partial<PresenceEntry> = {}): PresenceEntry => ({
  sessionId: 's-1',
  node: 3,
  handle: 'Lord Nikon',
  protocol: 'ssh',
  activity: 'reading messages',
  connectedAt: NOW - 3_600_000,
  lastInputAt: NOW - 125_000,
  remoteAddress: '192.0.2.7',
  terminal: { type: 'xterm', cols: 80, rows: 25, encoding: 'utf8' },
  processId: 'h:1',
  ...over,
});

test('an 80-column row shows node, handle, protocol, since, idle and activity', () => {
  const row = presenceRow(entry(), NOW, 80);
  assert.match(row, /^3 +Lord Nikon +ssh +\d\d:\d\d +2m +reading messages/);
  assert.equal(row.length, 79);
  assert.match(presenceHeader(80), /^Node +Handle +Via +Since +Idle +Activity/);
});

test('every protocol name shows whole at 80 columns, websocket too', () => {
  for (const protocol of ['telnet', 'ssh', 'rlogin', 'websocket'] as const) {
    assert.match(presenceRow(entry({ protocol }), NOW, 80), new RegExp(`^3 +Lord Nikon +${protocol} +\\d\\d:\\d\\d `));
  }
});

test('a caller still logging in shows as such; one in chat shows the room', () => {
  assert.match(presenceRow(entry({ handle: null }), NOW, 80), /\(logging in\)/);
  assert.match(presenceRow(entry({ room: 'retro' }), NOW, 80), /chat #retro/);
});

test('do-not-disturb is flagged', () => {
  assert.match(presenceRow(entry({ dnd: true }), NOW, 80), / D +reading/);
});

test('narrow screens drop columns but keep node, handle and some activity', () => {
  const row = presenceRow(entry(), NOW, 45);
  assert.equal(row.length, 44);
  assert.match(row, /^3 +Lord Nikon +2m +reading/);
  assert.doesNotMatch(presenceHeader(45), /Since|Via/);
  assert.match(presenceRow(entry(), NOW, 40), /^3 +Lord Nikon +reading/);
  // Below 35 columns a narrower node and handle leave the activity a few words (at 24 it kept one letter).
  assert.equal(presenceRow(entry(), NOW, 24), fitToWidth('3   Lord Nikon reading', 23));
  assert.match(presenceHeader(24), /^No +Handle +Activity/);
});

test('activity text from a caller cannot carry escape sequences onto the list', () => {
  assert.doesNotMatch(presenceRow(entry({ activity: 'x\x1b[2Jy' }), NOW, 80), /\x1b/);
});

test('idle time reads in seconds, minutes, then hours and minutes', () => {
  assert.equal(idleText(42_000), '42s');
  assert.equal(idleText(5 * 60_000 + 3000), '5m');
  assert.equal(idleText(2 * 3_600_000 + 7 * 60_000), '2h07m');
  assert.equal(idleText(-5), '0s');
});
