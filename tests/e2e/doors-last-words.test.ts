// A door's last words reach the caller: a door that prints its result and exits on its own
// (bsdgames' number, a shell door's final score) is followed by `[press a key]`, and only
// then does the door list (or the menu of a `door:` item) clear the screen. inetutils
// telnet in tmux: what the caller's screen shows.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'last-words-77';
const NUMBER = '/usr/games/number';

describe("a door's last words", { skip: existsSync('/usr/bin/tmux') ? false : 'needs tmux' }, () => {
  let board: Carrier;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-doors-last-'));
  const callers: TmuxCaller[] = [];

  before(async () => {
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(
      doorsFile,
      [
        'doors:',
        '  - { name: score, description: Final score, command: [/bin/sh, -c, "printf \'Final score: 4711 points\\\\r\\\\n\'"], level: 10 }',
        `  - { name: number, description: Number, command: [${NUMBER}, "1999"], level: 10 }`,
        '',
      ].join('\n'),
    );
    // The board's own main menu, plus an item that runs a door straight from the menu.
    const menus = join(tmp, 'menus');
    mkdirSync(menus);
    const main = readFileSync(join(repoRoot, 'config', 'menus', 'main.yaml'), 'utf8').replace(/^items:\n/m, 'items:\n  - key: Z\n    text: Score\n    door: score\n');
    assert.match(main, /door: score/);
    writeFileSync(join(menus, 'main.yaml'), main);
    board = await startCarrier({ menusDir: menus, yaml: `doors: { file: ${JSON.stringify(doorsFile)}, killGrace: 500ms }` });
    await board.addUser('wanda', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function caller(): Promise<TmuxCaller> {
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'wanda', PW, tmp);
    callers.push(c);
    return c;
  }

  it("from the door list: the door's final line stays on the screen under [press a key]; a key brings the list back", async () => {
    const c = await caller();
    c.send('d');
    await c.waitScreen(/Door \(Enter to go back\):/);
    c.send('1');
    // Fails without: the list cleared the screen as the door ended, and the score was never
    // seen. The prompt is the screen's last text, under the door's line (not over the list).
    await c.waitScreen(/Door \(Enter to go back\): 1\s+Final score: 4711 points\s+\[press a key\]\s*$/);
    await board.waitForLog((l) => l['event'] === 'door.exit' && l['door'] === 'score');
    c.send(' ');
    const list = await c.waitScreen(/Door \(Enter to go back\):\s*$/);
    assert.doesNotMatch(list, /4711 points/, 'the list then has the screen to itself');
    c.send('\r');
    await c.waitScreen(/Command:/);
  });

  it("bsdgames' number prints its answer and exits: the caller reads it before the list comes back", async (t) => {
    if (!existsSync(NUMBER)) return t.skip('needs bsdgames (tools/ci-packages.txt)');
    const c = await caller();
    c.send('d');
    await c.waitScreen(/Door \(Enter to go back\):/);
    c.send('2');
    await c.waitScreen(/one thousand\.\s+nine hundred ninety-nine\.\s+\[press a key\]\s*$/);
    c.send(' ');
    await c.waitScreen(/Door \(Enter to go back\):\s*$/);
    c.send('\r');
    await c.waitScreen(/Command:/);
  });

  it('from a `door:` menu item: the same pause before the menu is drawn again', async () => {
    const c = await caller();
    c.send('z');
    // Fails without: the menu redrew over the door's line at once.
    await c.waitScreen(/Command: Z\s+Final score: 4711 points\s+\[press a key\]\s*$/);
    c.send(' ');
    const menu = await c.waitScreen(/Command:\s*$/);
    assert.doesNotMatch(menu, /4711 points/);
  });
});
