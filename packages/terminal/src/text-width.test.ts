import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charWidth } from './text-width.js';

test('column widths of characters a caller can type', () => {
  const cases: [string, number][] = [
    ['a', 1], ['~', 1], ['é', 1], ['─', 1], ['█', 1], ['Ω', 1],
    ['日', 2], ['한', 2], ['Ａ', 2], ['😀', 2], ['𠀋', 2],
    ['\u0301', 0], ['\u200b', 0], ['\u00ad', 0], ['\x1b', 0], ['\x7f', 0], ['\u0085', 0], ['\ud800', 0], ['', 0],
  ];
  for (const [ch, w] of cases) assert.equal(charWidth(ch), w, `U+${(ch.codePointAt(0) ?? 0).toString(16)}`);
});
