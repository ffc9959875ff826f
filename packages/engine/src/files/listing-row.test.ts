import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayWidth } from '@carrier/terminal';
import type { FileEntry } from '@carrier/store';
import { formatSize, listingRow } from './files-menu.js';

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
