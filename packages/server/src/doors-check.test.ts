import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { checkMenus, readDoorsFile } from '@carrier/engine';
import { checkDoorPrograms } from './doors-check.js';
import { parseMenuYaml } from './menu-yaml.js';
const repoRootForTests = join(import.meta.dirname, '..', '..', '..');

describe('carrier check: doors.yaml', () => {
  it('the shipped config/doors.yaml is valid and opens no door that a stock install lacks', async () => {
    const file = join(repoRootForTests, 'config', 'doors.yaml');
    const r = await readDoorsFile(file, parseMenuYaml);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.deepEqual(await checkDoorPrograms(file, r.doors, '/usr/bin/prlimit'), []);
  });

  it('names the file, line and key of a shell string, and of a program that is not installed', async () => {
    const dir = scratchDir('carrier-doors-check');
    const file = join(dir, 'doors.yaml');
    const doors = [
      'doors:',
      '  - name: bad',
      '    description: Bad',
      '    command: "/bin/sh -c robots"',
      '',
    ].join('\n');
    writeFileSync(file, doors);
    const bad = await readDoorsFile(file, parseMenuYaml);
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems.map((p) => [p.file, p.line, p.key]), [[file, 4, 'doors[0].command']]);

    writeFileSync(file, ['doors:', '  - name: gone', '    description: Gone', '    command: [/usr/games/no-such-game]', ''].join('\n'));
    const gone = await readDoorsFile(file, parseMenuYaml);
    assert.ok(gone.ok);
    const problems = await checkDoorPrograms(file, gone.doors, '/usr/bin/prlimit');
    assert.deepEqual(problems.map((p) => [p.file, p.line, p.key]), [[file, 2, 'doors[0].command[0]']]);
    assert.match(problems[0]!.message, /no-such-game is not an executable file/);
  });

  it('a menu item `door: <name>` must name an enabled door', async () => {
    const dir = scratchDir('carrier-doors-menu');
    writeFileSync(join(dir, 'games.yaml'), ['title: Games', 'items:', '  - { key: R, text: Robots, door: robots }', '  - { key: N, text: Nope, door: nope }', ''].join('\n'));
    const refs = { scriptExists: async () => true, artFiles: async () => [], doorExists: async (name: string) => name === 'robots' };
    const problems = await checkMenus({ dir, parse: parseMenuYaml, refs });
    assert.deepEqual(problems.map((p) => [p.line, p.key, p.message]), [[4, 'items[1].door', 'no enabled door named "nope" in doors.yaml']]);
  });
});
