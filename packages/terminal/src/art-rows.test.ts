import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { artRows, clipAnsiRow } from './art-rows.js';
import { decodeCp437Art } from './cp437.js';
import { parseSauce } from './sauce.js';

const R = '\x1b[0m';

test('rows carry the colours in force from the rows above, each row drawn on its own', () => {
  const rows = artRows('\x1b[0m\x1b[2J\x1b[H\x1b[1;32mone\r\ntwo\x1b[0;31m!\r\nthree\r\n');
  assert.deepEqual(rows, [`${R}\x1b[0m\x1b[1;32mone`, `${R}\x1b[0m\x1b[1;32mtwo\x1b[0;31m!`, `${R}\x1b[0;31mthree`]);
});

test('SGR without a reset adds to the colours in force; a reset starts over', () => {
  const rows = artRows('\x1b[1mA\x1b[44mB\nC\x1b[mD\nE');
  assert.deepEqual(rows, [`${R}\x1b[1mA\x1b[44mB`, `${R}\x1b[1m\x1b[44mC\x1b[mD`, `${R}\x1b[mE`]);
});

test('blank rows at the end are dropped, blank rows between are kept, and maxRows cuts', () => {
  assert.deepEqual(artRows('a\r\n\r\nb\r\n\r\n   \r\n\x1b[0m\r\n'), [`${R}a`, `${R}`, `${R}b`]);
  assert.deepEqual(artRows('1\n2\n3\n4\n', 2), [`${R}1`, `${R}2`]);
});

test('art that positions the cursor, or has nothing visible, is not a header', () => {
  assert.equal(artRows('top\x1b[5;10Hthere'), null, 'absolute position after drawing');
  assert.equal(artRows('a\x1b[2Ab'), null, 'cursor up');
  assert.equal(artRows('a\x1b7b\x1b8'), null, 'save and restore');
  assert.equal(artRows('over\rwrite'), null, 'bare CR overdraws');
  assert.equal(artRows('\x1b[2J\x1b[H\x1b[0m\r\n\r\n'), null, 'nothing visible');
  assert.equal(artRows('a\x1b[2Jb'), null, 'clear screen mid-art');
  assert.equal(artRows('half an escape \x1b['), null);
});

test('cursor-forward runs and framing toggles are kept or dropped as a header needs', () => {
  assert.deepEqual(artRows('\x1b[?7l\x1b[?33h\x1b[10Cx\r\n\x1b[?33l\x1b[?7h'), [`${R}\x1b[10Cx`]);
});

test('clipAnsiRow cuts at the display width, counting cursor-forward and wide characters, and resets', () => {
  assert.equal(clipAnsiRow('\x1b[31mabcdef', 3), '\x1b[31mabc\x1b[0m');
  assert.equal(clipAnsiRow('\x1b[10Cxy', 4), '\x1b[4C\x1b[0m');
  assert.equal(clipAnsiRow('ab\x1b[3Cz', 6), 'ab\x1b[3Cz\x1b[0m');
  assert.equal(clipAnsiRow('a漢字', 4), 'a漢\x1b[0m', 'a wide character that does not fit is left out whole');
  assert.equal(clipAnsiRow('═══', 80), '═══\x1b[0m');
  assert.equal(clipAnsiRow('\x1b[3Cx', 80, { forwardAsSpaces: true }), '   x\x1b[0m');
});

test("the board's own online and chat art are headers of 9 rows, 80 columns wide", async () => {
  for (const name of ['online', 'chat']) {
    const file = fileURLToPath(new URL(`../../../art/${name}.ans`, import.meta.url));
    const buf = await readFile(file);
    const content = buf.subarray(0, parseSauce(buf).contentLength);
    const rows = artRows(decodeCp437Art(content.subarray(0, content.includes(0x1a) ? content.indexOf(0x1a) : content.length)));
    assert.ok(rows, `${name}.ans is line-oriented`);
    assert.equal(rows.length, 9, name);
    for (const row of rows) {
      const plain = row.replace(/\x1b\[[0-9;?]*[@-~]/g, '');
      assert.ok([...plain].length <= 80, `${name}: ${plain}`);
    }
    assert.match(rows[0]!, /╔═/);
  }
});
