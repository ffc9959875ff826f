import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateFilesConfig } from './areas.js';

const keys = (doc: unknown): string[] => validateFilesConfig(doc, '/data').problems.map((p) => p.key);

describe('files.yaml validation', () => {
  it('accepts the shipped shape with the quarantine beside the areas', () => {
    const r = validateFilesConfig(
      { quarantine: 'files/quarantine', areas: [{ tag: 'uploads', folder: 'files/uploads' }, { tag: 'general', folder: 'files/general' }] },
      '/data',
    );
    assert.deepEqual(r.problems, []);
    assert.equal(r.config.quarantine, '/data/files/quarantine');
  });

  it('refuses a quarantine equal to, inside or containing an area folder', () => {
    assert.deepEqual(keys({ quarantine: 'files/uploads', areas: [{ tag: 'uploads', folder: 'files/uploads' }] }), ['areas[0].folder']);
    assert.deepEqual(keys({ quarantine: 'files/uploads/q', areas: [{ tag: 'uploads', folder: 'files/uploads' }] }), ['areas[0].folder']);
    assert.deepEqual(keys({ quarantine: 'files', areas: [{ tag: 'general', folder: 'files/general' }] }), ['areas[0].folder']);
    // the default folder of an area tagged "quarantine" is the default quarantine
    assert.deepEqual(keys({ areas: [{ tag: 'quarantine' }] }), ['areas[0].folder']);
    // a name that only starts like the quarantine is another folder
    assert.deepEqual(keys({ quarantine: 'files/up', areas: [{ tag: 'uploads', folder: 'files/uploads' }] }), []);
    // a folder whose name begins with ".." is inside, not above
    assert.deepEqual(keys({ quarantine: 'files', areas: [{ tag: 'old', folder: 'files/..old' }] }), ['areas[0].folder']);
    assert.deepEqual(keys({ quarantine: 'files/uploads/..q', areas: [{ tag: 'uploads', folder: 'files/uploads' }] }), ['areas[0].folder']);
  });

  it('refuses two areas on one folder, and an area tagged like the SFTP pending folder', () => {
    assert.deepEqual(keys({ areas: [{ tag: 'general', folder: '/srv/f' }, { tag: 'secret', folder: '/srv/f/', list: 'sysop' }] }), ['areas[1].folder']);
    assert.deepEqual(keys({ areas: [{ tag: 'pending' }] }), ['areas[0].tag']);
  });

  it('names unknown and mistyped keys instead of using defaults silently', () => {
    assert.deepEqual(keys({ quarantne: 'x', stallSeconds: 0, watch: 'yes', uploads: { maxFileMB: 3 }, areas: [{ tag: 'a', foldr: 'x' }] }), [
      'quarantne',
      'uploads.maxFileMB',
      'stallSeconds',
      'watch',
      'areas[0].foldr',
    ]);
    assert.deepEqual(keys(['a list']), ['']);
  });
});
