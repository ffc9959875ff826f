import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScreenModes } from './screen-modes.js';

/** The modes after `writes`, each a write of its own. */
function after(...writes: string[]): string {
  const m = new ScreenModes();
  for (const w of writes) m.feed(Buffer.from(w, 'latin1'));
  return m.sequence();
}

describe('ScreenModes', () => {
  it('a door that changed nothing needs nothing set', () => {
    assert.equal(after('Hello\r\n\x1b[2J\x1b[5;1Htext\x1b[K'), '');
  });

  it('keeps one value per attribute, whatever the door sent: the newest colour, a reset drops all before it', () => {
    assert.equal(after('\x1b[31m\x1b[1m\x1b[32;44m'), '\x1b[0;1;32;44m');
    assert.equal(after('\x1b[1;4;31m', '\x1b[0;35m'), '\x1b[0;35m');
    assert.equal(after('\x1b[1;2;3m\x1b[22m'), '\x1b[0;3m');
    assert.equal(after('\x1b[31;44m\x1b[39m'), '\x1b[0;44m');
    assert.equal(after('\x1b[7m\x1b[m'), '');
    // Bounded: a million colours are one.
    assert.equal(after('\x1b[33m'.repeat(10_000) + '\x1b[36m'), '\x1b[0;36m');
  });

  it('the 256-colour, truecolour and colon forms are kept whole', () => {
    assert.equal(after('\x1b[38;5;208;48;2;1;2;3m'), '\x1b[0;38;5;208;48;2;1;2;3m');
    assert.equal(after('\x1b[38:2::9:8:7m\x1b[4:3m'), '\x1b[0;4:3;38:2::9:8:7m');
  });

  it('a sequence split between two writes is read whole', () => {
    assert.equal(after('\x1b', '[', '1;3', '4m', '\x1b[3', ';20', 'r'), '\x1b[3;20r\x1b[0;1;34m');
  });

  it('the scroll region, origin, auto-wrap, cursor and character sets; CSI r takes the region away', () => {
    assert.equal(after('\x1b[2;24r\x1b[?25l\x1b[?7l\x1b(0\x1b)0\x0e'), '\x1b[2;24r\x1b[?25l\x1b[?7l\x1b(0\x1b)0\x0e');
    assert.equal(after('\x1b[2;24r\x1b[r\x1b[?25l\x1b[?25h\x0e\x0f'), '\x1b[?25h');
    // Modes not followed are not written.
    assert.equal(after('\x1b[?1000h\x1b[?2004h\x1b[4h'), '');
  });

  it('a full reset (RIS) and a soft reset (DECSTR) drop everything', () => {
    assert.equal(after('\x1b[2;24r\x1b[41m\x1b(0\x1bc'), '');
    assert.equal(after('\x1b[2;24r\x1b[41m\x1b[?6h\x1b[!p'), '');
  });

  it('text in an OSC or DCS string is not read as modes; a sequence too long to be one is dropped', () => {
    assert.equal(after('\x1b]0;title \x1b[31m\x07\x1b[32m'), '\x1b[0;32m');
    assert.equal(after('\x1bP\x1b[31m junk \x1b\\'), '');
    assert.equal(after(`\x1b[${'1;'.repeat(100)}31m\x1b[4m`), '\x1b[0;4m');
  });

  it('what it writes stays under 1 KiB, whatever the door set', () => {
    const long = (code: number): string => `\x1b[${code}:${'9'.repeat(60)}m`;
    const worst = after(long(38), long(48), long(58), long(4), '\x1b[1;2;3;5;7;8;9m', `\x1b[${'1'.repeat(30)};${'2'.repeat(30)}r`, '\x1b[?6;7;25l\x1b(0\x1b)0\x0e');
    assert.ok(worst.length < 1024, `${worst.length} bytes`);
  });

  it('a clone goes on alone', () => {
    const m = new ScreenModes();
    m.feed(Buffer.from('\x1b[31m'));
    const c = m.clone();
    c.feed(Buffer.from('\x1b[44m'));
    assert.equal(m.sequence(), '\x1b[0;31m');
    assert.equal(c.sequence(), '\x1b[0;31;44m');
  });
});
