import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { scratchDir } from '@carrier/core/testing';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { boardMenuRefs, checkMenus, type MenuProblem } from '@carrier/engine';
import { parseMenuYaml } from './menu-yaml.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** A board folder with scripts `online` and `logoff`, art `main`, and the given menus. */
function boardDir(menus: Record<string, string>): { menus: string; scripts: string; art: string } {
  const root = scratchDir('carrier-menus');
  const dirs = { menus: join(root, 'menus'), scripts: join(root, 'scripts'), art: join(root, 'art') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  writeFileSync(join(dirs.scripts, 'online.ts'), 'export default async () => {};\n');
  writeFileSync(join(dirs.scripts, 'logoff.ts'), 'export default async () => {};\n');
  writeFileSync(join(dirs.art, 'main.ans'), 'art\r\n');
  for (const [name, text] of Object.entries(menus)) writeFileSync(join(dirs.menus, name), text);
  return dirs;
}

async function check(menus: Record<string, string>): Promise<MenuProblem[]> {
  const dirs = boardDir(menus);
  const problems = await checkMenus({ dir: dirs.menus, parse: parseMenuYaml, refs: boardMenuRefs((n) => join(dirs.scripts, `${n}.ts`), dirs.art) });
  // Paths relative to the menus folder read better in assertions.
  return problems.map((p) => ({ ...p, file: p.file.slice(dirs.menus.length + 1) }));
}

const brief = (p: MenuProblem) => `${p.file}:${p.line ?? '?'}: ${p.key}`;

const GOOD = `title: Main
art: main
items:
  - key: W
    text: Who's online
    gosub: online
  - key: G
    text: Goodbye
    logoff: true
`;

describe('menu files: every problem names the file, the line and the key', () => {
  it('a valid menu has no problems', async () => {
    assert.deepEqual(await check({ 'main.yaml': GOOD }), []);
  });

  it('the menus shipped with the board check clean against the board\'s scripts and art', async () => {
    const problems = await checkMenus({
      dir: join(repoRoot, 'config', 'menus'),
      parse: parseMenuYaml,
      refs: boardMenuRefs((n) => join(repoRoot, 'scripts', `${n}.ts`), join(repoRoot, 'art')),
    });
    assert.deepEqual(problems, []);
  });

  it('a YAML syntax error gives its line', async () => {
    const [p, ...rest] = await check({ 'main.yaml': 'title: Main\nitems:\n  - key: W\n    text: [unclosed\n' });
    assert.equal(rest.length, 0);
    assert.equal(p!.file, 'main.yaml');
    assert.equal(p!.key, '(syntax)');
    assert.ok(p!.line !== undefined && p!.line >= 4, `line ${p!.line}`);
  });

  it('unknown keys, a misspelt action and wrong types are reported where they are written', async () => {
    const problems = await check({
      'main.yaml': `title: Main
colour: red
items:
  - key: W
    text: Who
    gosbu: online
  - key: X
    text: 42
    level: high
    gosub: online
  - key: Y
    text: Two actions
    gosub: online
    goto: menu:main
`,
    });
    assert.deepEqual(problems.map(brief), [
      'main.yaml:2: colour',
      'main.yaml:6: items[0].gosbu',
      'main.yaml:4: items[0]',
      'main.yaml:8: items[1].text',
      'main.yaml:9: items[1].level',
      'main.yaml:14: items[2].goto',
    ]);
    assert.match(problems[1]!.message, /unknown key.*goto, gosub, back, logoff, show, page/);
    assert.match(problems[2]!.message, /no action/);
    assert.match(problems[5]!.message, /one action per item/);
  });

  it('a missing title or items is reported at the top of the file', async () => {
    const problems = await check({ 'main.yaml': '# nothing but a comment\nprompt: "> "\n' });
    assert.deepEqual(problems.map(brief), ['main.yaml:2: (top)', 'main.yaml:2: (top)']);
    assert.match(problems[0]!.message, /title is required/);
    assert.match(problems[1]!.message, /items is required/);
  });

  it('duplicate hotkeys, in any case, name the second one and the first', async () => {
    const problems = await check({
      'main.yaml': 'title: Main\nitems:\n  - { key: W, text: Who, gosub: online }\n  - { key: w, text: Whom, gosub: online }\n',
    });
    assert.deepEqual(problems.map(brief), ['main.yaml:4: items[1].key']);
    assert.match(problems[0]!.message, /duplicate hotkey "w": items\[0\] already uses it/);
  });

  it('targets, art and text files that do not exist are named with the item that wants them', async () => {
    const problems = await check({
      'main.yaml': `title: Main
art: nosuchart
items:
  - { key: C, text: Chat, gosub: chat }
  - { key: F, text: Files, goto: "menu:files" }
  - { key: A, text: About, show: { name: about, baud: 2400 } }
  - { key: R, text: Rules, page: rules.txt }
`,
    });
    assert.deepEqual(problems.map(brief), [
      'main.yaml:2: art',
      'main.yaml:4: items[0].gosub',
      'main.yaml:5: items[1].goto',
      'main.yaml:6: items[2].show',
      'main.yaml:7: items[3].page',
    ]);
    assert.match(problems[1]!.message, /no script named "chat"/);
    assert.match(problems[2]!.message, /no menu named "files"/);
    assert.match(problems[3]!.message, /no art named "about"/);
    assert.match(problems[4]!.message, /no file .*rules\.txt/);
  });

  it('a page path that would leave the menus folder is refused before anything is read', async () => {
    for (const path of ['../../etc/passwd', '/etc/passwd', 'text/../../x', '.hidden']) {
      const problems = await check({ 'main.yaml': `title: Main\nitems:\n  - { key: E, text: Escape, page: "${path}" }\n` });
      assert.deepEqual(problems.map(brief), ['main.yaml:3: items[0].page'], path);
      assert.match(problems[0]!.message, /relative path under the menus folder/);
    }
  });

  it('unknown prompt fields and out-of-range baud rates are refused', async () => {
    const problems = await check({
      'main.yaml': 'title: Main\nart: { name: main, baud: 9 }\nprompt: "{user} > "\nitems:\n  - { key: W, text: Who, gosub: online }\n',
    });
    assert.deepEqual(problems.map(brief), ['main.yaml:2: art', 'main.yaml:3: prompt']);
    assert.match(problems[0]!.message, /baud must be a whole number from 110 to 115200/);
    assert.match(problems[1]!.message, /unknown field \{user\}/);
  });

  it('a gosub loop between menus is found and reported at the item that closes it', async () => {
    const problems = await check({
      'a.yaml': 'title: A\nitems:\n  - { key: B, text: to b, gosub: "menu:b" }\n  - { key: R, text: again, goto: "menu:a" }\n',
      'b.yaml': 'title: B\nitems:\n  - { key: A, text: to a, gosub: "menu:a" }\n',
      'c.yaml': 'title: C\nitems:\n  - { key: C, text: me, gosub: "menu:c" }\n',
    });
    assert.deepEqual(problems.map(brief), ['b.yaml:3: items[0].gosub', 'c.yaml:3: items[0].gosub']);
    assert.match(problems[0]!.message, /gosub loop a -> b -> a/);
    assert.match(problems[1]!.message, /gosub loop c -> c/);
  });

  it('files that look like menus but are never read are reported', async () => {
    const problems = await check({ 'main.yaml': GOOD, 'old.yml': GOOD, 'my menu.yaml': GOOD, 'notes.txt': 'x' });
    assert.deepEqual(problems.map((p) => p.file), ['my menu.yaml', 'old.yml']);
  });

  it('a file too big to be a menu, or a YAML bomb, is refused without being expanded', async () => {
    const big = await check({ 'main.yaml': `title: Main\n# ${'x'.repeat(300 * 1024)}\n` });
    assert.match(big[0]!.message, /over the 262144-byte limit/);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const bomb = await check({ 'main.yaml': `${laughs.join('\n')}\ntitle: Main\nitems: []\n` });
    assert.ok(bomb.length > 0);
    assert.ok(bomb.some((p) => /alias|Excessive/i.test(p.message)), JSON.stringify(bomb));
  });
});
