import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanUserText } from './user-text.js';

test('a clear-screen sequence is removed whole, leaving the words around it', () => {
  assert.equal(cleanUserText('hi \x1b[2Jthere', 100), 'hi there');
  assert.equal(cleanUserText('\x1b[1;31mred\x1b[0m', 100), 'red');
  assert.equal(cleanUserText('\x9b2Jeight-bit CSI', 100), 'eight-bit CSI');
});

test('OSC strings (window titles, hyperlinks) are removed up to their terminator', () => {
  assert.equal(cleanUserText('a\x1b]0;owned\x07b', 100), 'ab');
  assert.equal(cleanUserText('a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b', 100), 'alinkb');
  assert.equal(cleanUserText('a\x1bPdevice control', 100), 'a', 'an unterminated string runs to the end');
});

test('two-character escapes and a lone ESC are removed', () => {
  assert.equal(cleanUserText('x\x1b7y\x1b8z\x1bc', 100), 'xyz');
  assert.equal(cleanUserText('end\x1b', 100), 'end');
});

test('control bytes, DEL and bidi overrides are removed; a tab becomes a space', () => {
  assert.equal(cleanUserText('be\x07ll\x08\x00\x7f\r\nok', 100), 'bellok');
  assert.equal(cleanUserText('abc\u202edef\u2066', 100), 'abcdef');
  assert.equal(cleanUserText('a\tb', 100), 'a b');
});

test('the text is trimmed and cut by code points, never inside a surrogate pair', () => {
  assert.equal(cleanUserText('   padded   ', 100), 'padded');
  assert.equal(cleanUserText('😀😀😀', 2), '😀😀');
  assert.equal(cleanUserText('ab cd', 3), 'ab');
});

test('pipe codes and ordinary Unicode pass through untouched', () => {
  assert.equal(cleanUserText('|04red? ═╗ café 日本', 100), '|04red? ═╗ café 日本');
});

test('a huge paste is bounded before any work is done on it', () => {
  const out = cleanUserText('x'.repeat(5_000_000), 300);
  assert.equal(out.length, 300);
});

test('C1 CSI and its parameters go whole, the fix for activity, sysop and guard text', () => {
  assert.equal(cleanUserText('at \x9b2Jthe menu\x9b31m', 60), 'at the menu');
  assert.equal(cleanUserText('sysop says \x1b[2J\x1b[Hhi', 60), 'sysop says hi');
});

test('zero-width and bidi format characters are removed; ZWJ inside an emoji stays', () => {
  assert.equal(cleanUserText('ad\u200bmin\u200e\u200f\u061c\u2060\ufeff', 100), 'admin');
  assert.equal(cleanUserText('👩\u200d💻', 100), '👩\u200d💻');
});

test('multiline keeps line breaks, tabs and indentation, and still strips escapes', () => {
  assert.equal(cleanUserText('  one\r\n\ttwo\x1b[2J\rthree\u202e  ', Infinity, { multiline: true, trim: false }), '  one\n\ttwo\nthree  ');
  assert.equal(cleanUserText(' a\nb ', Infinity, { multiline: true }), 'a\nb');
});
