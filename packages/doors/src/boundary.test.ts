import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { OutputBoundary } from './boundary.js';

const at = (utf8: boolean, ...chunks: (string | number[])[]): boolean => {
  const b = new OutputBoundary(utf8);
  for (const c of chunks) b.feed(typeof c === 'string' ? Buffer.from(c, 'latin1') : Buffer.from(c));
  return b.atBoundary;
};

describe('door output boundary', () => {
  it('is between sequences after text, a whole CSI, an ESC ( B, an OSC ended by BEL or ST', () => {
    for (const s of ['plain', '\x1b[0m', '\x1b[?1049h', '\x1b(B', '\x1b#8', '\x1b7', '\x1b]0;t\x07', '\x1bP1$r\x1b\\', '']) {
      assert.equal(at(true, s), true, JSON.stringify(s));
    }
  });
  it('is inside after ESC, a CSI without its final byte, an open string, or ESC ( alone', () => {
    for (const s of ['\x1b', '\x1b[', '\x1b[38;5;2', '\x1b]0;title', '\x1b]0;t\x1b', '\x1b(']) {
      assert.equal(at(true, s), false, JSON.stringify(s));
    }
  });
  it('CAN and SUB abort a sequence; a new ESC restarts one', () => {
    assert.equal(at(false, '\x1b[12\x18'), true);
    assert.equal(at(false, '\x1b]0;x\x1a'), true);
    assert.equal(at(false, '\x1b[12\x1b[0m'), true);
  });
  it('counts UTF-8 continuation bytes across reads, and not in CP437', () => {
    assert.equal(at(true, [0xe2, 0x95]), false);
    assert.equal(at(true, [0xe2, 0x95], [0x94]), true);
    assert.equal(at(true, [0xf0, 0x9f, 0x98]), false);
    assert.equal(at(false, [0xe2, 0x95]), true, 'CP437 is a byte a character');
  });
});
