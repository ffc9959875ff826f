// The sysop's workshop, end to end over telnet: the main menu is a YAML file that is
// edited while the board runs, a broken edit is refused while the old menu serves and
// `carrier check` names the problem, and menus or scripts that loop, throw or wait
// forever leave the caller and the server standing.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { loginRaw, RawTelnet } from '../raw-telnet.js';

const APOLOGY = 'Sorry, something went wrong';
/** gosub nesting the engine allows (MAX_SCRIPT_DEPTH) */
const MAX_DEPTH = 64;

// The board's own scripts (who's online, chat…) change as the board grows; these tests
// drive scripts of their own so they test the workshop, not those screens.
const TEST_SCRIPTS: Record<string, string> = {
  boom: `export default async () => { throw new Error('boom on purpose'); };\n`,
  hello: `import type { Session } from '@carrier/engine';
export default async function hello(s: Session): Promise<void> {
  s.println('hello from a test script');
  await s.pause();
}
`,
  nodes: `import type { Session } from '@carrier/engine';
export default async function nodes(s: Session): Promise<void> {
  for (const e of await s.who()) s.println(\`node \${e.node}: \${e.handle ?? '-'} \${e.activity}\`);
  s.println('end of nodes');
  await s.pause();
}
`,
  forever: `import type { Session } from '@carrier/engine';
export default async function forever(s: Session): Promise<void> {
  s.setActivity('waiting forever');
  s.println('waiting for something that never comes');
  await new Promise(() => {});
}
`,
};

const LOOP_MENU = `title: Loop
prompt: "Loop> "
items:
  - { key: R, text: Round again, goto: "menu:loop" }
  - { key: D, text: Deeper, gosub: "menu:loop" }
  - { key: Q, text: Back, back: true }
`;

/** The shipped main menu plus items for the tests, each on a line the tests know. */
function mainMenu(extra: string[] = []): string {
  const shipped = readFileSync(join(repoRoot, 'config', 'menus', 'main.yaml'), 'utf8');
  return `${shipped.trimEnd()}\n${[
    '  - { key: B, text: Blow up, gosub: boom }',
    '  - { key: Y, text: Wait forever, gosub: forever }',
    '  - { key: Z, text: Loop menu, gosub: "menu:loop" }',
    '  - { key: H, text: Hello, gosub: hello }',
    '  - { key: N, text: Nodes, gosub: nodes }',
    ...extra,
  ].join('\n')}\n`;
}

/** Waits until `needle` has appeared `n` times after `from`. */
async function waitCount(c: RawTelnet, needle: string, n: number, from: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (c.text().slice(from).split(needle).length - 1 < n) {
    if (c.closed || Date.now() > deadline) throw new Error(`saw ${needle} ${c.text().slice(from).split(needle).length - 1} times, wanted ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends `keys` and waits for `pattern` in what arrives after them. */
async function press(c: RawTelnet, keys: string, pattern: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const mark = c.text().length;
  c.send(keys);
  return c.waitFor(pattern, timeoutMs, mark);
}

describe('the workshop: menus edited while the board runs', () => {
  let board: Carrier;
  let dir: string;
  let menus: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-workshop-'));
    const scripts = join(dir, 'scripts');
    menus = join(dir, 'menus');
    cpSync(join(repoRoot, 'scripts'), scripts, { recursive: true });
    for (const [name, source] of Object.entries(TEST_SCRIPTS)) writeFileSync(join(scripts, `${name}.ts`), source);
    cpSync(join(repoRoot, 'config', 'menus'), menus, { recursive: true });
    writeFileSync(join(menus, 'main.yaml'), mainMenu());
    writeFileSync(join(menus, 'loop.yaml'), LOOP_MENU);
    board = await startCarrier({ scriptsDir: scripts, menusDir: menus, yaml: 'limits: { maxPerIp: 50 }' });
    await board.addUser('alice', 'wonderland7');
    await board.addUser('bob', 'builder-42');
  });
  after(async () => {
    await board.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new caller sees an item added to the menu file while the board runs', async () => {
    const first = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    assert.doesNotMatch(first.text(), /Xylophone/);
    writeFileSync(join(menus, 'main.yaml'), mainMenu(['  - { key: X, text: Xylophone, gosub: hello }']));
    const second = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    assert.match(second.text(), /\[.*X.*\] .*Xylophone/);
    await press(second, 'x', 'hello from a test script');
    // The caller already at the menu gets the new version on the next draw.
    await press(first, '\r', 'Xylophone');
    first.close();
    second.close();
  });

  it('a broken menu is refused, the old one keeps serving, and carrier check names file, line and key', async () => {
    writeFileSync(join(menus, 'main.yaml'), mainMenu(['  - { key: X, text: Xylophone, gosub: hello }']));
    const warm = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    warm.close();
    const broken = mainMenu(['  - { key: X, text: Xylophone, gosbu: hello }']);
    const line = broken.split('\n').findIndex((l) => l.includes('gosbu')) + 1;
    const index = broken.split('\n').slice(0, line).filter((l) => /^\s+- /.test(l)).length - 1;
    writeFileSync(join(menus, 'main.yaml'), broken);

    const caller = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    assert.match(caller.text(), /Xylophone/, 'the last good version still serves');
    await press(caller, 'x', 'hello from a test script');
    caller.close();
    const logged = await board.waitForLog((l) => l['event'] === 'menu.invalid' && l['key'] === `items[${index}].gosbu`);
    assert.equal(logged['line'], line);

    const check = await board.cli(['check']);
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.match(check.stdout, new RegExp(`main\\.yaml:${line}: items\\[${index}\\]\\.gosbu: unknown key`));
    // The loop menu's gosub to itself is a problem too, named where it is.
    assert.match(check.stdout, /loop\.yaml:5: items\[1\]\.gosub: gosub loop loop -> loop/);
    writeFileSync(join(menus, 'main.yaml'), mainMenu());
  });

  it('a script that throws shows the apology and the caller is back at the menu', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    // The apology waits for a key (issue 11 item 10), then the menu comes back.
    await press(c, 'b', new RegExp(`${APOLOGY}[^]*press a key`));
    await press(c, ' ', 'Command:');
    await press(c, 'h', 'hello from a test script');
    c.close();
    await board.waitForLog((l) => l['event'] === 'script.error' && l['script'] === 'boom');
  });

  it('a menu that goes round itself never deepens; one that nests itself stops at the limit with an apology', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    await press(c, 'z', 'Loop> ');
    const mark = c.text().length;
    c.send('r'.repeat(100));
    await waitCount(c, 'Loop> ', 100, mark);
    await press(c, 'd'.repeat(MAX_DEPTH + 2), new RegExp(`${APOLOGY}[^]*press a key`), 20_000);
    await press(c, ' ', 'Loop> ');
    // Still served: back out of one level and the menu answers.
    await press(c, 'q', 'Loop> ');
    assert.equal(c.closed, false);
    c.close();
    const stranger = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    stranger.close();
  });

  it('a script waiting forever is released when the caller hangs up: the node is free and who\'s online forgets them', async () => {
    const waiting = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    await press(waiting, 'y', 'never comes');
    const watcher = await loginRaw(board.ports.telnet!, 'bob', 'builder-42');
    await press(watcher, 'n', /alice waiting forever[^]*end of nodes/);
    const mark = board.logs.length;
    waiting.close();
    const deadline = Date.now() + 10_000;
    while (!board.logs.slice(mark).some((l) => l['event'] === 'session.end' && l['user'] === 'alice')) {
      assert.ok(Date.now() < deadline, 'no session.end for the caller who hung up');
      await new Promise((r) => setTimeout(r, 20));
    }
    await press(watcher, ' ', 'Command:');
    const list = await press(watcher, 'n', 'end of nodes');
    assert.doesNotMatch(list, /waiting forever/);
    assert.match(list, /bob/);
    watcher.close();
  });
});
