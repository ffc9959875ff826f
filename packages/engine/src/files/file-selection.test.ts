import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileEntry } from '@carrier/store';
import { Listings, selectFiles, splitFileWords, type ListingNumbers } from './file-selection.js';

describe('a file prompt\'s line', () => {
  it('splits at white space, keeping a quoted name whole (an unclosed quote runs to the end)', () => {
    assert.deepEqual(splitFileWords('  a.zip   b.txt '), ['a.zip', 'b.txt']);
    assert.deepEqual(splitFileWords('"big file.bin" 4 x.zip'), ['big file.bin', '4', 'x.zip']);
    assert.deepEqual(splitFileWords('1 "two words'), ['1', 'two words']);
    assert.deepEqual(splitFileWords('"" " "'), []);
  });

  // The area as the store lists it: by name, case-insensitively.
  const names = ['big file.bin', 'coolgame.zip', '2024', 'zeta.txt'].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  const entries = names.map((name, i) => ({ id: i + 1, area: 'general', name }) as FileEntry);
  // Another area, with a file of a name general has too.
  const games = ['2024', 'robots.zip'].map((name, i) => ({ id: 100 + i, area: 'games', name }) as FileEntry);
  const inArea = (area: string): FileEntry[] => (area === 'games' ? games : entries);
  const repo = {
    find: (area: string, name: string) => Promise.resolve(inArea(area).find((e) => e.name.toLowerCase() === name.toLowerCase())),
    list: (area: string, o: { offset?: number; limit?: number } = {}) => Promise.resolve(inArea(area).slice(o.offset ?? 0, (o.offset ?? 0) + (o.limit ?? 1000))),
  };
  const pick = async (line: string, max = 50, listing?: ListingNumbers, area = 'general') => {
    const r = await selectFiles(repo, area, line, max, listing);
    return { found: r.found.map((e) => `${e.area}/${e.name}`), missing: r.missing };
  };
  /** What the listing `rows` numbered, as the menu records it. */
  const listing = (l: Listings, rows: FileEntry[], tag?: string): void => {
    const shown = l.start(tag);
    rows.forEach((e, i) => shown(i + 1, e));
  };

  it('takes the whole line as one name when the area has it, spaces and all', async () => {
    assert.deepEqual(await pick('  Big File.bin '), { found: ['general/big file.bin'], missing: [] });
  });

  it('takes quoted names, listing numbers and plain names together, each file once', async () => {
    assert.deepEqual(names, ['2024', 'big file.bin', 'coolgame.zip', 'zeta.txt']);
    assert.deepEqual(await pick('"big file.bin" 3 zeta.txt 2'), { found: ['general/big file.bin', 'general/coolgame.zip', 'general/zeta.txt'], missing: [] });
    // A file named like a number is that file; numbers past the listing or absurd ones name nothing.
    assert.deepEqual(await pick('2024 5 0 99999999 big'), { found: ['general/2024'], missing: ['5', '0', '99999999', 'big'] });
  });

  it('reads at most `max` words', async () => {
    assert.deepEqual(await pick('1 2 3 4', 2), { found: ['general/2024', 'general/big file.bin'], missing: [] });
  });

  it('takes a number the caller\'s listing showed as that file, wherever it is now', async () => {
    // L showed 1 2024, 2 coolgame.zip and 3 gone.txt (since removed); the area now has
    // big file.bin second. A number L did not show is the file at that place now.
    const l = new Listings();
    listing(l, ['2024', 'coolgame.zip', 'gone.txt'].map((name) => ({ area: 'general', name }) as FileEntry), 'general');
    assert.deepEqual(await pick('2', 50, l.numbersFor('general')), { found: ['general/coolgame.zip'], missing: [] });
    assert.deepEqual(await pick('3 4', 50, l.numbersFor('general')), { found: ['general/zeta.txt'], missing: ['3'] });
  });

  it('after an N or S listing, a number at the menu is that listing\'s file, in its own area, until the next L', async () => {
    const l = new Listings();
    listing(l, entries, 'general');
    // A search across areas showed 1 games/robots.zip, 2 general/coolgame.zip.
    listing(l, [games[1]!, entries[2]!]);
    assert.deepEqual(await pick('1 2', 50, l.numbersFor('general')), { found: ['games/robots.zip', 'general/coolgame.zip'], missing: [] });
    assert.deepEqual(await pick('1', 50, l.numbersFor('games'), 'games'), { found: ['games/robots.zip'], missing: [] }, 'in any area the caller is in');
    // A number that listing did not show names nothing (not the area's file at that place).
    assert.deepEqual(await pick('3', 50, l.numbersFor('general')), { found: [], missing: ['3'] });
    // Names are still the area's.
    assert.deepEqual(await pick('2024', 50, l.numbersFor('general')), { found: ['general/2024'], missing: [] });
    // An L afterwards ends it: each area's numbers are its own last L's again.
    listing(l, [games[1]!], 'games');
    assert.deepEqual(await pick('1', 50, l.numbersFor('games'), 'games'), { found: ['games/robots.zip'], missing: [] });
    assert.deepEqual(await pick('1', 50, l.numbersFor('general')), { found: ['general/2024'], missing: [] });
  });
});
