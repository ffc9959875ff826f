import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayWidth, stripPipeCodes } from '@carrier/terminal';
import { areaHeader, areaRow } from './text.js';

describe("the message areas menu's header", () => {
  const general = { name: 'General', tag: 'general', conference: 'Local' };
  const plain = (area: typeof general, total: number, fresh: number, cols: number): string[] => areaHeader(area, total, fresh, cols).map(stripPipeCodes);

  it('names the tag and conference where they fit, drops them where not, and takes two rows on a narrow screen', () => {
    assert.deepEqual(plain(general, 1, 1, 80), ['Area: General (general, Local) - 1 message, 1 new']);
    assert.deepEqual(plain(general, 12, 0, 40), ['Area: General - 12 messages, 0 new']);
    // 24 columns: three rows broken mid-word before
    assert.deepEqual(plain(general, 1, 1, 24), ['Area: General', '1 message, 1 new']);
    assert.deepEqual(plain({ name: 'Announcements and news', tag: 'news', conference: 'Local' }, 3, 2, 24), ['Area: Announcements and', '3 messages, 2 new']);
  });

  it('never takes more than two rows, each within the width, and shows a | in a name as it is', () => {
    const wide = { name: 'Pipes |15 and a name of forty characters', tag: 'wide-area-tag', conference: 'A conference with a long name too' };
    for (let cols = 20; cols <= 200; cols++) {
      const rows = plain(wide, 12345, 12345, cols);
      assert.ok(rows.length <= 2, `${cols} columns`);
      for (const row of rows) assert.ok(displayWidth(row) <= cols - 1, `${cols} columns: ${row}`);
    }
    assert.match(plain(wide, 1, 0, 200)[0]!, /^Area: Pipes \|15 and/);
  });
});

describe("an area in J's list", () => {
  it('has its columns where they fit one row, else the number, the name cut and the count', () => {
    const general = { name: 'General', tag: 'general' };
    assert.equal(stripPipeCodes(areaRow(1, general, 3, 80)), `  1 ${'General'.padEnd(30)} ${'general'.padEnd(16)} 3 new`);
    assert.equal(stripPipeCodes(areaRow(1, general, 1, 24)), '  1 General 1 new');
    assert.equal(stripPipeCodes(areaRow(12, { name: 'Announcements and news', tag: 'news' }, 0, 24)), ' 12 Announcements and n');
    for (let cols = 20; cols <= 120; cols++) {
      const row = stripPipeCodes(areaRow(100, { name: 'A name | of thirty characters.', tag: 'sixteen-chars-ok' }, 12345, cols));
      assert.ok(displayWidth(row.trimEnd()) <= cols - 1, `${cols} columns: ${row}`);
    }
  });
});
