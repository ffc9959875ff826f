import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ecma48Scanner, Ecma48Token, MAX_PARAMETER_BYTES } from './ecma48.js';

/** What the scanner reads in `chunks` (each a write of its own), one line a token. */
function read(scanner: Ecma48Scanner, ...chunks: (string | number[])[]): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    const bytes = typeof c === 'string' ? Buffer.from(c, 'latin1') : Buffer.from(c);
    scanner.push(bytes);
    for (let t = scanner.next(); t !== Ecma48Token.End; t = scanner.next()) {
      const drop = scanner.dropped ? ' dropped' : '';
      if (t === Ecma48Token.Text) out.push(`text ${bytes.toString('latin1', scanner.textStart, scanner.textEnd)}`);
      else if (t === Ecma48Token.Control) out.push(`control ${scanner.control.toString(16).padStart(2, '0')}`);
      else if (t === Ecma48Token.Escape) out.push(`esc ${scanner.intermediates}${String.fromCharCode(scanner.final)}${drop}`);
      else if (t === Ecma48Token.Csi) out.push(`csi ${scanner.params}${scanner.intermediates}${String.fromCharCode(scanner.final)}${drop}`);
      else out.push(`string ${String.fromCharCode(scanner.introducer)}`);
    }
  }
  return out;
}
const tokens = (...chunks: (string | number[])[]): string[] => read(new Ecma48Scanner(false), ...chunks);
/** Text runs joined as they would be drawn: a run may end where a write ends. */
const joined = (lines: string[]): string[] =>
  lines.reduce<string[]>((acc, line) => {
    const last = acc[acc.length - 1];
    if (line.startsWith('text ') && last?.startsWith('text ')) acc[acc.length - 1] = last + line.slice(5);
    else acc.push(line);
    return acc;
  }, []);

describe('Ecma48Scanner', () => {
  it('reads text, controls, ESC sequences, control sequences and strings', () => {
    assert.deepEqual(tokens('Hi\r\n\x1b[1;31mred\x1b(0q\x1b(B\x1b7\x1b#8\x1b[?25l\x1b[!p\x1b]0;title\x07\x1bP1$r\x1b\\\x1b_a\x1b\\\x1b^p\x07\x1bXs\x07end'), [
      'text Hi',
      'control 0d',
      'control 0a',
      'csi 1;31m',
      'text red',
      'esc (0',
      'text q',
      'esc (B',
      'esc 7',
      'esc #8',
      'csi ?25l',
      'csi !p',
      'string ]',
      'string P',
      'string _',
      'string ^',
      'string X',
      'text end',
    ]);
  });

  it('a sequence split between writes at any byte is read as it is whole', () => {
    const whole = 'a\x1b[38;5;208mb\x1b(0c\x1b]2;t\x1b\\d\x1b#8\r\n';
    const expected = tokens(whole);
    for (let cut = 1; cut < whole.length; cut++) {
      assert.deepEqual(joined(tokens(whole.slice(0, cut), whole.slice(cut))), expected, `cut at ${cut}`);
    }
    assert.deepEqual(tokens(...whole.split('')).filter((t) => !t.startsWith('text')), expected.filter((t) => !t.startsWith('text')));
  });

  it('ESC inside a string does not start a sequence: only ESC \\ or BEL ends the string', () => {
    assert.deepEqual(tokens('\x1b]0;a\x1b[31mb\x07x'), ['string ]', 'text x']);
    assert.deepEqual(tokens('\x1bPq\x1b\x1b\\y'), ['string P', 'text y']);
    // controls inside a string are part of it
    assert.deepEqual(tokens('\x1b]0;a\r\nb\x1b', '\\z'), ['string ]', 'text z']);
  });

  it('CAN and SUB abort a sequence or a string, and the bytes after are text', () => {
    assert.deepEqual(tokens('\x1b[12\x1834m'), ['control 18', 'text 34m']);
    assert.deepEqual(tokens('\x1b]0;x\x1ay'), ['control 1a', 'text y']);
    assert.deepEqual(tokens('\x1b(\x18B'), ['control 18', 'text B']);
    assert.deepEqual(tokens('\x1bP\x1b\x18q'), ['control 18', 'text q']);
  });

  it('an ESC inside a control sequence starts a new one; other controls act and the sequence goes on', () => {
    assert.deepEqual(tokens('\x1b[12\x1b[0m'), ['csi 0m']);
    assert.deepEqual(tokens('\x1b[1\r;2H'), ['control 0d', 'csi 1;2H']);
  });

  it('keeps at most MAX_PARAMETER_BYTES of a control sequence, whatever a door sends; a longer one is dropped', () => {
    const s = new Ecma48Scanner(false);
    s.push(Buffer.from('\x1b['));
    s.next();
    for (let i = 0; i < 1000; i++) {
      s.push(Buffer.from('1;'.repeat(512)));
      assert.equal(s.next(), Ecma48Token.End);
      assert.ok(s.params.length <= MAX_PARAMETER_BYTES, `${s.params.length} bytes held`);
    }
    assert.deepEqual(read(s, 'm\x1b[4m'), [`csi ${'1;'.repeat(MAX_PARAMETER_BYTES / 2)}m dropped`, 'csi 4m']);
    // The longest kept is whole.
    const longest = '9'.repeat(MAX_PARAMETER_BYTES);
    assert.deepEqual(tokens(`\x1b[${longest}m`), [`csi ${longest}m`]);
    // Intermediates past two, or a parameter after one, spoil a sequence too.
    assert.deepEqual(tokens('\x1b[!!!p\x1b[ 1q\x1b(((0'), ['csi !!p dropped', 'csi  q dropped', 'esc ((0 dropped']);
  });

  it('is at a boundary only between sequences and, in UTF-8, between characters', () => {
    const at = (utf8: boolean, ...chunks: (string | number[])[]): boolean => {
      const s = new Ecma48Scanner(utf8);
      read(s, ...chunks);
      return s.atBoundary;
    };
    for (const s of ['plain', '\x1b[0m', '\x1b(B', '\x1b]0;t\x07', '\x1b[12\x18', '']) assert.equal(at(true, s), true, JSON.stringify(s));
    for (const s of ['\x1b', '\x1b[', '\x1b[38;5;2', '\x1b]0;title', '\x1b]0;t\x1b', '\x1b(']) assert.equal(at(true, s), false, JSON.stringify(s));
    assert.equal(at(true, [0xe2, 0x95]), false);
    assert.equal(at(true, [0xe2], [0x95], [0x94]), true);
    assert.equal(at(true, [0xe2], [0x95]), false);
    assert.equal(at(true, [0x41, 0xf0, 0x9f, 0x98]), false);
    assert.equal(at(true, [0xf0, 0x9f, 0x98, 0x80]), true);
    // a character cut short by the next one, a control or an escape: nothing is owed
    assert.equal(at(true, [0xe2, 0x41]), true);
    assert.equal(at(true, [0xe2], '\r'), true);
    assert.equal(at(true, [0xe2], '\x1b[m'), true);
    assert.equal(at(true, [0x80, 0x80, 0x80, 0x80]), true);
    assert.equal(at(false, [0xe2, 0x95]), true, 'CP437 is a byte a character');
  });

  it('says where a sequence began in the bytes pushed, or -1 when it began in bytes before', () => {
    const s = new Ecma48Scanner(false);
    const starts = (chunk: string): number[] => {
      const out: number[] = [];
      s.push(Buffer.from(chunk, 'latin1'));
      for (let t = s.next(); t !== Ecma48Token.End; t = s.next()) if (t !== Ecma48Token.Text && t !== Ecma48Token.Control) out.push(s.sequenceStart);
      return out;
    };
    assert.deepEqual(starts('ab[1mc]0;t[1[2Hd(0['), [2, 7, 16, 21]);
    assert.deepEqual(starts('3;4H7'), [-1, 4]);
  });

  it('a clone goes on from the same place without changing the original', () => {
    const s = new Ecma48Scanner(false);
    read(s, '\x1b[1;3');
    const c = s.clone();
    assert.deepEqual(read(c, '2m'), ['csi 1;32m']);
    assert.deepEqual(read(s, '4m'), ['csi 1;34m']);
  });
});
