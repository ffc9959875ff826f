// files.yaml through the one loader the board, `carrier check` and the `carrier files`
// verbs share, with the server's YAML parser: every problem names file, line and key.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadFilesFile } from '@carrier/engine';
import { parseMenuYaml } from './menu-yaml.js';

describe('loadFilesFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-files-yaml-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('gives each problem its file, line and key, and no config', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, ['quarantine: files/uploads', 'areas:', '  - tag: uploads', '    folder: files/uploads', '  - tag: general', '    lst: 10', ''].join('\n'));
    const r = await loadFilesFile(file, parseMenuYaml, dir);
    assert.equal(r.config, undefined);
    assert.deepEqual(
      r.problems.map((p) => [p.file, p.line, p.key]),
      [
        [file, 4, 'areas[0].folder'],
        [file, 6, 'areas[1].lst'],
      ],
    );
  });

  it('reports a YAML syntax error with its line', async () => {
    const file = join(dir, 'syntax.yaml');
    await writeFile(file, 'areas:\n  - tag: [unclosed\n');
    const r = await loadFilesFile(file, parseMenuYaml, dir);
    assert.equal(r.config, undefined);
    assert.ok(r.problems.length > 0 && r.problems[0]!.line !== undefined, JSON.stringify(r.problems));
  });

  it('a missing file is the default areas; the shipped file loads clean', async () => {
    const none = await loadFilesFile(join(dir, 'none.yaml'), parseMenuYaml, dir);
    assert.deepEqual(none.problems, []);
    assert.deepEqual(none.config?.areas.map((a) => a.tag), ['uploads', 'general']);
    const shipped = await loadFilesFile(join(import.meta.dirname, '..', '..', '..', 'config', 'files.yaml'), parseMenuYaml, dir);
    assert.deepEqual(shipped.problems, []);
  });
});
