import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCp437 } from '@carrier/core';
import { asciiStandIns, wantsAsciiOnly } from './ascii.js';

test('box drawing becomes + - |, blocks and shades #, and ASCII passes unchanged', () => {
  assert.equal(asciiStandIns('╔══╗\r\n║hi║\r\n╚══╝'), '+--+\r\n|hi|\r\n+--+');
  assert.equal(asciiStandIns('┌─┬─┐ ├─┼─┤ └─┴─┘ │'), '+-+-+ +-+-+ +-+-+ |');
  assert.equal(asciiStandIns('░▒▓█▀▄▌▐'), '########');
  const plain = 'Command: \x1b[0m\t|07 ~';
  assert.equal(asciiStandIns(plain), plain);
});

test('accents are dropped, typographic punctuation made plain, anything else is ?', () => {
  assert.equal(asciiStandIns('Café Ångström naïve Ñandú'), 'Cafe Angstrom naive Nandu');
  assert.equal(asciiStandIns('Straße “quoted” ‘it’s’ – — …'), 'Strasse "quoted" \'it\'s\' - - ...');
  assert.equal(asciiStandIns('e\u0301'), 'e', 'a combining accent after its letter');
  assert.equal(asciiStandIns('日本 🎉'), '?? ?', 'one ? per character, astral ones too');
});

test('every CP437 character comes out as ASCII', () => {
  const all = decodeCp437(Uint8Array.from({ length: 256 }, (_, i) => i));
  const out = asciiStandIns(all);
  assert.doesNotMatch(out, /[^\x00-\x7f]/);
  // The box and line cells (0xB3-0xDA) all have a stand-in that is not '?'.
  const box = asciiStandIns(decodeCp437(Uint8Array.from({ length: 0xda - 0xb3 + 1 }, (_, i) => 0xb3 + i)));
  assert.doesNotMatch(box, /\?/, box);
});

test('ASCII only for a plain terminal whose character set nobody named', () => {
  assert.equal(wantsAsciiOnly({ type: 'dumb', encodingSource: 'default' }), true);
  assert.equal(wantsAsciiOnly({ type: 'DUMB', encodingSource: 'config' }), true);
  assert.equal(wantsAsciiOnly({ type: 'dumb', encodingSource: 'user' }), false, 'the caller chose one in U');
  assert.equal(wantsAsciiOnly({ type: 'dumb', encodingSource: 'lang' }), false, 'LANG=…UTF-8 named UTF-8');
  assert.equal(wantsAsciiOnly({ type: 'dumb', encodingSource: 'charset' }), false, 'telnet CHARSET named one');
  assert.equal(wantsAsciiOnly({ type: 'xterm', encodingSource: 'default' }), false);
});
