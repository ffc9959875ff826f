import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charWidth, wrapWords } from './text-width.js';

test('column widths of characters a caller can type', () => {
  const cases: [string, number][] = [
    ['a', 1], ['~', 1], ['é', 1], ['─', 1], ['█', 1], ['Ω', 1],
    ['日', 2], ['한', 2], ['Ａ', 2], ['😀', 2], ['𠀋', 2],
    ['\u0301', 0], ['\u200b', 0], ['\u00ad', 0], ['\x1b', 0], ['\x7f', 0], ['\u0085', 0], ['\ud800', 0], ['', 0],
  ];
  for (const [ch, w] of cases) assert.equal(charWidth(ch), w, `U+${(ch.codePointAt(0) ?? 0).toString(16)}`);
});

/** Wrap plain text (a piece per code point) and give the rows back as strings. */
const wrap = (text: string, width: number, rest = width): string[] =>
  wrapWords([...text].map((ch) => ({ ch, width: charWidth(ch), space: ch === ' ' })), width, rest).map((r) => r.map((p) => p.ch).join(''));
const columns = (row: string): number => [...row].reduce((n, ch) => n + charWidth(ch), 0);

test('wrapWords breaks at spaces by display width (issue 11 item 14)', () => {
  // text, width, rows; the bytes (UTF-8) differ from the columns wherever a row has a wide or combining character.
  const cases: [string, number, string[]][] = [
    ['the quick brown fox', 10, ['the quick', 'brown fox']],
    ['the quick brown fox', 9, ['the quick', 'brown fox']],
    ['the quick brown fox', 8, ['the', 'quick', 'brown', 'fox']],
    ['ends in a dot.', 13, ['ends in a', 'dot.']],
    ['abcdefghij', 4, ['abcd', 'efgh', 'ij']],
    ['see abcdefghij', 6, ['see ab', 'cdefgh', 'ij']],
    ['café crème brûlée', 10, ['café crème', 'brûlée']],
    // e + U+0301 (combining acute): 2 code points, 3 bytes, 1 column
    ['cafe\u0301 cre\u0300me', 10, ['cafe\u0301 cre\u0300me']],
    ['cafe\u0301 cre\u0300me!', 10, ['cafe\u0301', 'cre\u0300me!']],
    ['日本語の文章', 7, ['日本語', 'の文章']],
    ['ab 日本', 5, ['ab 日', '本']],
    ['hi 😀😀 there', 7, ['hi 😀😀', 'there']],
    ['a  b', 2, ['a', 'b']],
    ['', 5, ['']],
  ];
  for (const [text, width, rows] of cases) {
    const got = wrap(text, width);
    assert.deepEqual(got, rows, `${JSON.stringify(text)} at ${width}`);
    for (const r of got) assert.ok(columns(r) <= width, `${JSON.stringify(r)} fits ${width} columns`);
  }
  // byte length, code points and columns of the rows above are three different numbers
  assert.deepEqual([Buffer.byteLength('cafe\u0301'), [...'cafe\u0301'].length, columns('cafe\u0301')], [6, 5, 4]);
  assert.deepEqual([Buffer.byteLength('日本語'), [...'日本語'].length, columns('日本語')], [9, 3, 6]);
  assert.deepEqual([Buffer.byteLength('😀😀'), [...'😀😀'].length, columns('😀😀')], [8, 2, 4]);
});

test('wrapWords: the rows after the first can be narrower (a continuation indent)', () => {
  assert.deepEqual(wrap('one two three four', 9, 7), ['one two', 'three', 'four']);
});

test('wrapWords: a token that leads (a colour code) starts the next row at a full one', () => {
  const pieces = [
    { t: 'a', width: 1, space: false }, { t: 'b', width: 1, space: false },
    { t: '|12', width: 0, space: false, lead: true }, { t: 'c', width: 1, space: false },
  ];
  assert.deepEqual(wrapWords(pieces, 2).map((r) => r.map((p) => p.t).join('')), ['ab', '|12c']);
});
