import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DoorReplay, MAX_REPLAY_BYTES } from './door-replay.js';

const numbered = (from: number, to: number, width = 60): string => {
  let out = '';
  for (let i = from; i <= to; i++) out += `line ${i} `.padEnd(width, '.') + '\r\n';
  return out;
};

describe('DoorReplay', () => {
  it('keeps what the door drew since its last clear screen, a clear split between two writes too', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from('old screen\r\n'));
    r.feed(Buffer.from('menu\x1b[2'));
    r.feed(Buffer.from('J\x1b[Hnew screen'));
    assert.equal(r.bytes(25).toString(), '\x1b[2J\x1b[Hnew screen');
  });

  it('a door that never clears: its last screenful of lines, from a line start, not all it wrote', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from(numbered(1, 100)));
    r.feed(Buffer.from('prompt> '));
    // 24 lines and the line being written: the caller's 25 rows. Fails without: from line 1.
    assert.equal(r.bytes(25).toString(), numbered(77, 100) + 'prompt> ');
  });

  it('a door that wrote fewer lines than the screen has rows: all of it', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from('Hello\r\nkey:61\r\n'));
    assert.equal(r.bytes(25).toString(), 'Hello\r\nkey:61\r\n');
  });

  it(`holds at most ${MAX_REPLAY_BYTES} bytes: past that, the last screenful of lines, never more than the bound`, () => {
    const r = new DoorReplay();
    // A clear long gone, then far more than the bound of lines (written in odd-sized pieces).
    r.feed(Buffer.from('\x1b[2J\x1b[H'));
    const text = Buffer.from(numbered(1, 3000));
    for (let at = 0; at < text.length; at += 777) {
      r.feed(text.subarray(at, at + 777));
      assert.ok(r.size <= MAX_REPLAY_BYTES);
    }
    // Fails without: nothing past the bound (the spy was blank until the door's next clear).
    assert.equal(r.bytes(25).toString(), numbered(2977, 3000));
    // Lines longer than a screen's worth fits in the bound: from the first line start held.
    const long = new DoorReplay();
    long.feed(Buffer.from(`${'y'.repeat(50_000)}\r\n${'z'.repeat(30_000)}\r\n`));
    assert.equal(long.bytes(25).toString(), `${'z'.repeat(30_000)}\r\n`);
    r.feed(Buffer.from('\x1b[2Jfresh'));
    assert.equal(r.bytes(25).toString(), '\x1b[2Jfresh');
  });

  it('a clear found across the ring’s wrap is replayed from', () => {
    const r = new DoorReplay();
    r.feed(Buffer.alloc(MAX_REPLAY_BYTES - 2, 0x78));
    r.feed(Buffer.from('\x1b['));
    r.feed(Buffer.from('2J\x1b[Hafter'));
    assert.equal(r.bytes(25).toString(), '\x1b[2J\x1b[Hafter');
  });

  it('colours and a scroll region the door set before the clear replayed from are set first', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from('\x1b[2;24r\x1b[1;33;44m'));
    r.feed(Buffer.from('\x1b[2J\x1b[Htitle'));
    // Fails without: from the clear alone, the spy's screen cleared to black and lines scrolled the whole screen.
    assert.equal(r.bytes(25).toString(), '\x1b[2;24r\x1b[0;1;33;44m\x1b[2J\x1b[Htitle');
  });

  it('the colours in force where the last screenful of lines starts come first, even when the door set them past the bound', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from('\x1b[31mred from here\r\n\x1b[0m\x1b[32'));
    r.feed(Buffer.from(';1mgreen and bold\r\n'));
    r.feed(Buffer.from(numbered(1, 100)));
    // Fails without: the lines came without their colour.
    assert.equal(r.bytes(25).toString(), '\x1b[0;1;32m' + numbered(77, 100));
    // The colour set once, then far more than the bound of lines: still known.
    const far = new DoorReplay();
    far.feed(Buffer.from('\x1b[?25l\x1b(0\x1b[5;20r\x1b[7m'));
    const text = Buffer.from(numbered(1, 3000));
    for (let at = 0; at < text.length; at += 777) far.feed(text.subarray(at, at + 777));
    assert.equal(far.bytes(25).toString(), '\x1b[5;20r\x1b[?25l\x1b(0\x1b[0;7m' + numbered(2977, 3000));
    // A reset in the lines replayed: the lines carry it themselves.
    far.feed(Buffer.from('\x1b[0mplain\r\n'));
    assert.equal(far.bytes(3).toString(), '\x1b[5;20r\x1b[?25l\x1b(0\x1b[0;7m' + numbered(3000, 3000) + '\x1b[0mplain\r\n');
  });

  it('a door that draws only with cursor positions (no line end, no clear) past the bound: from its first position held, never more than the bound', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from('Hello\r\nsize 80x25\r\n\x1b[44m'));
    const frame = (n: number): string => Array.from({ length: 24 }, (_, row) => `\x1b[${row + 1};1Hframe ${n} row ${row + 1} `.padEnd(40, '=')).join('');
    let n = 0;
    while (r.size < MAX_REPLAY_BYTES || n < 200) r.feed(Buffer.from(frame(++n)));
    const out = r.bytes(25).toString();
    // Fails without: nothing (64 KiB held no line end).
    assert.ok(out.endsWith(frame(n)), 'the last frame is drawn');
    assert.match(out, /^\x1b\[0;44m\x1b\[\d+;1Hframe /, 'from a cursor position, in the colour set before it');
    assert.ok(Buffer.byteLength(out) <= MAX_REPLAY_BYTES + 64, `${Buffer.byteLength(out)} bytes`);
  });

  it('a cursor position inside a string the door sent (an APC to its own client) is not where the replay starts', () => {
    const r = new DoorReplay();
    r.feed(Buffer.from('\x1b[44m'));
    r.feed(Buffer.from('='.repeat(MAX_REPLAY_BYTES)));
    r.feed(Buffer.from('\x1b_\x1b[3;1Hnot a position\x1b\\tail\x1b[5;1Hframe'));
    // Fails without: from the ESC [ 3 ; 1 H inside the APC, its text and a stray ST drawn.
    assert.equal(r.bytes(25).toString(), '\x1b[0;44m\x1b[5;1Hframe');
  });
});
