import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { decodeBytes, decodeCp437, encodeCp437, encodeText } from './encoding.js';

// carrier's own CP437 table replaced iconv-lite's (whose first use loads every codepage);
// the two must agree byte for byte.
test('CP437 decoding agrees with iconv-lite for every byte', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, b) => b));
  assert.equal(decodeCp437(all), iconv.decode(all, 'cp437'));
  for (let b = 0; b < 256; b++) assert.equal(decodeBytes(Buffer.from([b]), 'cp437'), iconv.decode(Buffer.from([b]), 'cp437'), `byte ${b}`);
  // longer than one decoding chunk, high and low bytes mixed
  const long = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 37) & 0xff));
  assert.equal(decodeCp437(long), iconv.decode(long, 'cp437'));
  assert.equal(decodeCp437(long.subarray(3, 9000)), iconv.decode(long.subarray(3, 9000), 'cp437'));
  assert.equal(decodeCp437(Buffer.from('plain ascii\r\n')), 'plain ascii\r\n');
});

test('CP437 encoding agrees with iconv-lite for every UTF-16 unit', () => {
  const units = String.fromCharCode(...Array.from({ length: 0x10000 }, (_, u) => u).filter((u) => u < 0xd800 || u > 0xdfff));
  assert.deepEqual(encodeCp437(units), iconv.encode(units, 'cp437'));
  const text = 'Ünïcödé ░▒▓ ╔═╗ ok';
  assert.deepEqual(encodeText(text, 'cp437'), iconv.encode(text, 'cp437'));
  assert.equal(decodeBytes(encodeText('╔═╗ ÇüÉ', 'cp437'), 'cp437'), '╔═╗ ÇüÉ');
});

// iconv-lite encodes UTF-16 units, so a character beyond the BMP (an emoji: two units) was
// two '?' on a CP437 caller's screen; it is one character, so one '?'.
test('CP437 encoding: a character beyond the BMP is one ?, a lone surrogate one ? too', () => {
  assert.equal(encodeCp437('a😀b').toString('latin1'), 'a?b');
  assert.equal(encodeCp437('😀😀').toString('latin1'), '??');
  assert.equal(encodeText('░🙂░', 'cp437').toString('latin1'), '\xb0?\xb0');
  assert.equal(encodeCp437('x\ud83d').toString('latin1'), 'x?');
  assert.equal(encodeCp437('\ude00y').toString('latin1'), '?y');
  assert.equal(encodeCp437('\ud83d\ud83dz').toString('latin1'), '??z');
});
