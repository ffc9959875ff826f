import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCp437 } from '@carrier/core';
import { decodeCp437Art, decodeCp437Glyphs, encodeCp437Art } from './cp437.js';

const GLYPHS = '☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼';
const KEPT_CONTROLS = new Set([0x08, 0x09, 0x0a, 0x0d, 0x1a, 0x1b]);

test('art bytes 0x01-0x1F show their DOS glyph, except ESC, CR, LF, TAB, BS and 0x1A', () => {
  for (let b = 1; b < 0x20; b++) {
    const got = decodeCp437Art(Buffer.from([b]));
    const want = KEPT_CONTROLS.has(b) ? String.fromCharCode(b) : [...GLYPHS][b - 1];
    assert.equal(got, want, `byte 0x${b.toString(16)}`);
  }
});

test('0x7F in art is the house glyph and the high half is the CP437 table', () => {
  assert.equal(decodeCp437Art(Buffer.from([0x7f])), '⌂');
  const cases: [number, string][] = [
    [0x80, 'Ç'], [0xb0, '░'], [0xb1, '▒'], [0xb2, '▓'], [0xb3, '│'], [0xc4, '─'], [0xc9, '╔'],
    [0xcd, '═'], [0xdb, '█'], [0xdc, '▄'], [0xdf, '▀'], [0xe1, 'ß'], [0xfe, '■'], [0xff, '\u00a0'],
  ];
  for (const [b, ch] of cases) assert.equal(decodeCp437Art(Buffer.from([b])), ch, `byte 0x${b.toString(16)}`);
});

test('art keeps ANSI sequences intact around glyphs', () => {
  const bytes = Buffer.from('\x1b[1;31m\x03\xc4\x1b[0m\r\n', 'latin1');
  assert.equal(decodeCp437Art(bytes), '\x1b[1;31m♥─\x1b[0m\r\n');
});

test('every byte survives decode then encode', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  assert.deepEqual(encodeCp437Art(decodeCp437Art(all)), all);
});

test('a subarray of a larger buffer decodes only its own bytes', () => {
  const big = Buffer.from('xx\x03yy', 'latin1');
  assert.equal(decodeCp437Art(big.subarray(2, 3)), '♥');
});

test('characters CP437 lacks become ?', () => {
  assert.deepEqual(encodeCp437Art('€😀\ud800é'), Buffer.from([0x3f, 0x3f, 0x3f, 0x82]));
});

test('look-alike code points encode to their CP437 cell', () => {
  assert.deepEqual(encodeCp437Art('βΩ'), Buffer.from([0xe1, 0xea]));
});

test("art encodes with core's one CP437 table: only the glyphs of low bytes, the house and look-alikes differ from a Connection's text", () => {
  // The look-alikes: Greek beta, the Ohm sign, n-ary summation, Greek mu.
  const overlay = new Set([...GLYPHS, '⌂', '\u03b2', '\u2126', '\u2211', '\u03bc'].map((c) => c.charCodeAt(0)));
  const differ: string[] = [];
  for (let u = 0; u < 0x10000; u++) {
    const ch = String.fromCharCode(u);
    if (!encodeCp437Art(ch).equals(encodeCp437(ch)) !== overlay.has(u)) differ.push(`U+${u.toString(16)}`);
  }
  assert.deepEqual(differ, []);
  assert.deepEqual(encodeCp437Art('☺ ⌂ \u2126'), Buffer.from([0x01, 0x20, 0x7f, 0x20, 0xea]));
  assert.deepEqual(encodeCp437('☺ ⌂ \u2126'), Buffer.from('? ? ?', 'latin1'), 'a Connection never turns text into control bytes');
});

test('glyph decoding leaves no control characters at all', () => {
  assert.equal(decodeCp437Glyphs(Buffer.from([0x1b, 0x0d, 0x0a, 0x07, 0x00, 0x41])), '←♪◙• A');
});
