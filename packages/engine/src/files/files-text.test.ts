import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayWidth, stripPipeCodes } from '@carrier/terminal';
import type { FileEntry } from '@carrier/store';
import { keyLegend, keyPrompt } from '../prompt-fit.js';
import { areaQuestion, fileAreaHeader, fileAreaRow, fileMenuKeys, formatSize, listingHeader, listingPrompt, listingRow } from './files-text.js';

const entry = (name: string, description: string): FileEntry => ({
  id: 1,
  area: 'uploads',
  name,
  size: 2048,
  sha256: '0'.repeat(64),
  description,
  uploaderId: null,
  addedAt: Date.UTC(2026, 11, 7),
  mtime: Date.UTC(2026, 11, 7),
  downloads: 3,
});

describe('a file listing row', () => {
  it('fits its screen by columns, wide (CJK) names and descriptions included', () => {
    for (const cols of [24, 40, 80, 132]) {
      for (const e of [entry('readme.txt', 'the board rules'), entry('日本語のファイル名がとても長い.zip', '説明文もとても長いのでこの行は切られるはずです')]) {
        const row = listingRow(12, e, cols, false);
        assert.ok(displayWidth(row) <= Math.max(20, cols - 1), `${cols}: ${row} is ${displayWidth(row)} columns`);
      }
    }
  });

  it('keeps its columns in line whatever the name: the size starts at the same column', () => {
    const plain = listingRow(1, entry('readme.txt', ''), 80, false);
    const wide = listingRow(1, entry('日本語のファイル名がとても長い.zip', ''), 80, true);
    const sizeAt = (row: string): number => {
      const at = row.indexOf(formatSize(2048));
      assert.ok(at > 0, `the size in ${row}`);
      return displayWidth(row.slice(0, at));
    };
    assert.equal(sizeAt(wide), sizeAt(plain));
  });
});

describe('the file areas screen on a narrow screen', () => {
  const plain = (row: string): string => stripPipeCodes(row);
  const general = { name: 'General', tag: 'general', description: "The board's files" };

  it("the area header names the tag where it fits, drops it where not, and takes two rows on a narrow screen", () => {
    assert.deepEqual(fileAreaHeader(general, 2, 1, 80).map(plain), ['File area: General (general, 2 files, 1 tagged)']);
    assert.deepEqual(fileAreaHeader(general, 2, 0, 36).map(plain), ['File area: General - 2 files']);
    // 24 columns: 'File area: Uploads (uplo' / 'ads, 0 files)' before, broken mid-word
    assert.deepEqual(fileAreaHeader(general, 0, 0, 24).map(plain), ['File area: General', '0 files']);
  });

  it("J's rows: name, tag and description where they fit, the description cut; the number and name where not", () => {
    assert.equal(plain(fileAreaRow(2, general, 80)), "  2 General                  general  The board's files");
    assert.equal(plain(fileAreaRow(2, general, 40)), '  2 General                  general');
    assert.equal(plain(fileAreaRow(2, general, 52)), "  2 General                  general  The board's f");
    assert.equal(plain(fileAreaRow(2, general, 24)), '  2 General');
    assert.equal(plain(areaQuestion('Jump to which area', 80)), 'Jump to which area (number or tag, Enter for none): ');
    assert.equal(plain(areaQuestion('Jump to which area', 24)), 'Jump to which area: ');
  });

  it('a listing keeps its columns under its header where the date fits, and name and size where it does not', () => {
    const e = entry('sample-with-a-rather-long-file-name.zip', 'A sample archive');
    assert.equal(listingHeader(80), '   # Name                       Size Date        DLs Description');
    assert.equal(listingRow(1, e, 80, false), '   1 sample-with-a-rather-lon   2.0K 2026-12-07    3 A sample archive');
    assert.equal(listingHeader(24), '   # Name          Size');
    assert.equal(listingRow(1, e, 24, true), '   1*sample-with   2.0K');
    const sizeColumn = (row: string): number => row.indexOf('2.0K') + 4;
    for (const cols of [24, 40, 53, 54, 80]) {
      assert.equal(sizeColumn(listingRow(1, e, cols, false)), listingHeader(cols).indexOf('Size') + 4, `${cols} columns`);
    }
    assert.equal(plain(listingPrompt(true, 80)), '[T]ag [D]ownload [Enter] more [Q]uit: ');
    assert.equal(plain(listingPrompt(true, 24)), '[T D Enter Q]: ');
  });

  it("the menu's keys keep their words at 80 columns, a sysop's A and the web link's W included", () => {
    assert.equal(stripPipeCodes(keyPrompt(fileMenuKeys(true, true), 80)), '[J]ump [L]ist [T]ag [D]ownload [U]pload [N]ew [S]earch [W]eb [A]pprove [Q]uit: ');
    assert.equal(stripPipeCodes(keyPrompt(fileMenuKeys(false, false), 24)), '[J L T D U N S Q ?]: ');
    assert.deepEqual(keyLegend(fileMenuKeys(true, false)).map(stripPipeCodes).slice(6, 8), ['S  Search', 'W  Web download link']);
  });

  it('every row and prompt fits one row at any width the board accepts (10 to 998 columns)', () => {
    for (let cols = 10; cols <= 998; cols++) {
      const rows = [
        ...fileAreaHeader({ name: 'A rather long area name', tag: 'longtag' }, 1234, 12, cols),
        fileAreaRow(12, { name: 'A rather long area name for J', tag: 'longtag', description: 'and a description that goes on' }, cols),
        areaQuestion('Jump to which area', cols),
        listingHeader(cols),
        listingRow(123, entry('日本語のファイル名がとても長い.zip', '説明文'), cols, true),
        listingPrompt(true, cols),
      ];
      for (const row of rows) assert.ok(displayWidth(plain(row)) <= cols - 1, `${cols} columns: ${plain(row)}`);
    }
  });
});
