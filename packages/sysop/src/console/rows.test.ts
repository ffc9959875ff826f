import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charWidth } from '@carrier/terminal';
import { banRow, footerHelp, logRow } from './console.js';

const width = (s: string): number => [...s].reduce((w, ch) => w + charWidth(ch), 0);

describe('the console fits its rows to their panels', () => {
  it('a JSON log line becomes one row: time, level, event, then its fields, cut to the width', () => {
    const line = JSON.stringify({ t: '2026-12-07T04:05:03.998Z', level: 'warn', event: 'security.ban', pid: 7, component: 'security', target: '10.8.0.11', reason: 'a long reason '.repeat(10) });
    const row = logRow(line, 78);
    assert.ok(row.startsWith('04:05:03 warn security.ban pid=7 target=10.8.0.11 reason=a long reason'), row);
    assert.equal(width(row), 78);
    assert.doesNotMatch(row, /component=/);
  });

  it('control characters and escapes from a caller never reach the sysop, and wide characters count twice', () => {
    const line = JSON.stringify({ t: '2026-12-07T04:05:03.998Z', level: 'warn', event: 'login.refused', handle: '\x1b[2J日本語の名前' });
    const row = logRow(line, 40);
    assert.doesNotMatch(row, /\x1b/);
    assert.ok(width(row) <= 40, row);
    assert.equal(logRow('not json at all', 5), 'not j');
  });

  it('the footer shows the longest key help that fits, never in the last column', () => {
    assert.match(footerHelp(132), /L log filter .*Q quit$/);
    for (const cols of [80, 60, 40, 20, 10]) {
      const f = footerHelp(cols);
      assert.ok(f.length <= cols - 1, `${cols}: ${f}`);
    }
    assert.match(footerHelp(80), /Q quit$/);
    // The user editor's keys, delete and back included, fit 80 columns too.
    assert.match(footerHelp(80, true), /D delete {2}Esc back$/);
    for (const cols of [80, 40, 10]) assert.ok(footerHelp(cols, true).length <= cols - 1);
  });

  it('a ban that ends on another day says the day: "until 13:24" read as today, an hour ago', () => {
    const now = new Date(2026, 11, 7, 13, 24, 54).getTime();
    const ban = { target: '127.0.0.37', source: 'sysop', reason: 'banned from the sysop console' };
    assert.equal(banRow({ ...ban, expiresAt: now + 24 * 3600_000 }, 80, now), '127.0.0.37 until 12-08 13:24 banned from the sysop console');
    assert.equal(banRow({ ...ban, expiresAt: now + 600_000 }, 80, now), '127.0.0.37 until 13:34 banned from the sysop console');
    assert.equal(banRow({ ...ban, expiresAt: null }, 80, now), '127.0.0.37 permanent banned from the sysop console');
    assert.equal(banRow({ ...ban, expiresAt: null }, 12, now), '127.0.0.37 p');
  });
});

