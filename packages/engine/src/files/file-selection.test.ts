import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileEntry } from '@carrier/store';
import { selectFiles, splitFileWords } from './file-selection.js';

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
  const repo = {
    find: (_area: string, name: string) => Promise.resolve(entries.find((e) => e.name.toLowerCase() === name.toLowerCase())),
    list: (_area: string, o: { offset?: number; limit?: number } = {}) => Promise.resolve(entries.slice(o.offset ?? 0, (o.offset ?? 0) + (o.limit ?? 1000))),
  };
  const pick = async (line: string, max = 50, listed?: ReadonlyMap<number, string>) => {
    const r = await selectFiles(repo, 'general', line, max, listed);
    return { found: r.found.map((e) => e.name), missing: r.missing };
  };

  it('takes the whole line as one name when the area has it, spaces and all', async () => {
    assert.deepEqual(await pick('  Big File.bin '), { found: ['big file.bin'], missing: [] });
  });

  it('takes quoted names, listing numbers and plain names together, each file once', async () => {
    assert.deepEqual(names, ['2024', 'big file.bin', 'coolgame.zip', 'zeta.txt']);
    assert.deepEqual(await pick('"big file.bin" 3 zeta.txt 2'), { found: ['big file.bin', 'coolgame.zip', 'zeta.txt'], missing: [] });
    // A file named like a number is that file; numbers past the listing or absurd ones name nothing.
    assert.deepEqual(await pick('2024 5 0 99999999 big'), { found: ['2024'], missing: ['5', '0', '99999999', 'big'] });
  });

  it('reads at most `max` words', async () => {
    assert.deepEqual(await pick('1 2 3 4', 2), { found: ['2024', 'big file.bin'], missing: [] });
  });

  it('takes a number the caller\'s listing showed as that file, wherever it is now', async () => {
    // L showed 1 2024, 2 coolgame.zip and 3 gone.txt (since removed); the area now has
    // big file.bin second. A number L did not show is the file at that place now.
    const listed = new Map([[1, '2024'], [2, 'coolgame.zip'], [3, 'gone.txt']]);
    assert.deepEqual(await pick('2', 50, listed), { found: ['coolgame.zip'], missing: [] });
    assert.deepEqual(await pick('3 4', 50, listed), { found: ['zeta.txt'], missing: ['3'] });
  });
});
