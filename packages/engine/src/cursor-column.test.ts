import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CursorColumn } from './cursor-column.js';

function after(...writes: string[]): number | undefined {
  const c = new CursorColumn();
  for (const w of writes) c.advance(w);
  return c.value;
}

describe('CursorColumn', () => {
  it('counts printed characters since the last line start', () => {
    assert.equal(after('hello\r\nlogin: '), 7);
    assert.equal(after('abc', 'de'), 5);
  });

  it('colour changes take no room, cursor moves do', () => {
    assert.equal(after('\x1b[1;37mName\x1b[0m: '), 6);
    assert.equal(after('\x1b[2J\x1b[H', 'ab'), 2);
    assert.equal(after('\x1b[5;20H'), 19);
    assert.equal(after('abcdef\x1b[2D'), 4);
    assert.equal(after('ab\x1b[10G'), 9);
    assert.equal(after('abc\b'), 2);
  });

  it('wide characters take two columns and combining marks none', () => {
    assert.equal(after('\u{1F600}x'), 3);
    assert.equal(after('e\u0301!'), 2);
  });

  it('is unknown after raw output until the next line starts', () => {
    const c = new CursorColumn();
    c.forget();
    c.advance('more');
    assert.equal(c.value, undefined);
    c.advance('\r\nok');
    assert.equal(c.value, 2);
  });
});
