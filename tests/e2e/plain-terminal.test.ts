// A caller whose terminal says it is `dumb` (TERM=dumb telnet, a teletype) gets plain
// text: no escape sequence in the welcome, the menus or who's online, and the views
// that need cursor control (chat) say so instead of drawing. With no character set
// named, the text is ASCII (box drawing as +-|), not CP437; lightbar menus become the
// hotkey menu; a door that needs ANSI says so, a plain-text one runs. A raw telnet caller
// that answers TTYPE with "dumb", and inetutils telnet with TERM=dumb in tmux.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { RawTelnet } from '../raw-telnet.js';
import { postedBody, TmuxCaller } from './messages-callers.js';

const PW = 'correct-horse-7';

describe('a dumb terminal', () => {
  let board: Carrier;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-plain-'));
  const callers: TmuxCaller[] = [];
  before(async () => {
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(
      doorsFile,
      [
        'doors:',
        '  - { name: screen, description: Screen game, command: [/bin/sh, -c, "printf \'\\\\033[2Jdrawn\\r\\n\'"], level: 10 }',
        '  - { name: lines, description: Line game, terminal: plain, command: [/bin/sh, -c, "printf \'line door, TERM=%s\\r\\n\' \\"$TERM\\""], level: 10 }',
        '',
      ].join('\n'),
    );
    board = await startCarrier({ yaml: `doors: { file: ${JSON.stringify(doorsFile)}, killGrace: 500ms }` });
    await board.addUser('tty', PW);
    await board.addUser('lita', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('gets the welcome, the main menu and who is online without escape sequences; chat declines', async () => {
    const c = await RawTelnet.connect({ port: board.ports.telnet!, terminalType: 'dumb', size: { cols: 80, rows: 24 } });
    try {
      await c.waitFor('login:', 15_000);
      c.send('tty\r');
      await c.waitFor('password:');
      c.send(`${PW}\r`);
      await c.waitFor('Command:');
      c.send('w');
      await c.waitFor(/Who's online - 1 caller[^]*tty/);
      await c.waitFor('press a key');
      c.send(' ');
      const mark = c.text().length;
      c.send('c');
      await c.waitFor(/Chat needs a terminal with cursor control/, 10_000, mark);
      c.send(' ');
      await c.waitFor('Command:', 10_000, mark);
      const t = c.text();
      const i = t.indexOf('\x1b');
      assert.equal(i, -1, `no escape sequence may reach a dumb terminal; one at ${i}: ${JSON.stringify(t.slice(Math.max(0, i - 200), i + 100))}`);
      // No character set named: ASCII, the welcome's and the menu's box drawn with +-|.
      const high = t.search(/[\x80-\xff]/);
      assert.equal(high, -1, `only ASCII reaches a dumb terminal nobody named a character set for: ${JSON.stringify(t.slice(Math.max(0, high - 40), high + 20))}`);
      assert.match(t, /\+-+ main menu -+\+/);
    } finally {
      c.close();
    }
  });

  it('inetutils telnet, TERM=dumb: ASCII box lines, the hotkey menu though lightbar is chosen, an ANSI door declines, a plain one runs; a charset chosen in U wins', async (t) => {
    if (!existsSync('/usr/bin/tmux')) return t.skip('needs tmux');
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const lita = await store.users.findByHandle('lita');
      await store.users.updateSettings(lita!.id, { menuStyle: 'lightbar' });
    } finally {
      await store.close();
    }
    // tmux's pane is a UTF-8 terminal: CP437 box bytes would show as replacement characters.
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'lita', PW, tmp, /Command:/, 'dumb');
    callers.push(c);
    const menu = await c.screen();
    assert.match(menu, /\+-+ main menu -+\+/, menu);
    assert.match(menu, /\[D\] Doors/, 'the hotkey menu: a lightbar needs cursor control');
    assert.doesNotMatch(menu, /[^\x00-\x7f]/, menu);

    /** The screen once its last line (where the cursor waits) matches `prompt`. */
    const atPrompt = (prompt: RegExp) => c.waitScreen(new RegExp(`${prompt.source}\\s*$`));
    c.send('d');
    await atPrompt(/Door \(Enter to go back\):/);
    c.send('1');
    await c.waitScreen(/Screen game needs a terminal with cursor control/);
    await board.waitForLog((l) => l['event'] === 'door.refused' && l['door'] === 'screen' && l['why'] === 'plain terminal');
    assert.ok(!board.logs.some((l) => l['event'] === 'door.start' && l['door'] === 'screen'), 'the ANSI door never started');
    await atPrompt(/press a key.*/i);
    c.send(' ');
    await atPrompt(/Door \(Enter to go back\):/);
    c.send('2');
    await c.waitScreen(/line door, TERM=dumb/);
    await board.waitForLog((l) => l['event'] === 'door.exit' && l['door'] === 'lines');
    await atPrompt(/press a key.*/i);
    c.send(' ');
    await atPrompt(/Door \(Enter to go back\):/);
    c.send('\r');
    await atPrompt(/Command:/);

    // U, E, U: the caller says the terminal draws UTF-8, so box lines go out as they are.
    c.send('u');
    await c.waitScreen(/Encoding\s+ASCII, as your terminal said/);
    c.send('e');
    await c.waitScreen(/Choice:/);
    c.send('u');
    await c.waitScreen(/Box lines: ┌──┐ ╔══╗ ░▒▓█/);
  });

  // A reply starts with the first lines of the original, quoted. In the line-mode editor
  // they used to go into the message unseen, and the caller's first line was numbered 1
  // though it was saved as the fifth: the quote is shown, numbered as saved, and the
  // editor's /d and /e reach it.
  it('inetutils telnet, TERM=dumb: a reply in the line-mode editor shows its quote as numbered lines; /d deletes, /e edits them; what is saved is what was listed', async (t) => {
    if (!existsSync('/usr/bin/tmux')) return t.skip('needs tmux');
    const posted = await board.cli(['msg', 'post', 'general', '--subject', 'Quote me'], 'First line of the original.\nSecond line here.\nThird line.\n');
    assert.equal(posted.code, 0, posted.stderr);
    await board.addUser('quin', PW);
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'quin', PW, tmp, /Command:/, 'dumb');
    callers.push(c);
    /** The screen once its last line (where the cursor waits) matches `prompt`. */
    const atPrompt = (prompt: RegExp) => c.waitScreen(new RegExp(`${prompt.source}\\s*$`));
    c.send('m');
    await atPrompt(/\[Q\]uit:/);
    c.send('r');
    await c.waitScreen(/Subject: Quote me[^]*Third line\.\n.*\[Q\]uit:\s*$/);
    c.send('r');
    await atPrompt(/To: carrier/);
    c.send('\r');
    await atPrompt(/Subject: Re: Quote me/);
    c.send('\r');
    // The quote, then the blank line after it (the full-screen editor's text starts so too);
    // the caller types line 5.
    const editor = await atPrompt(/\n {2}1: CA> First line of the original\.\n {2}2: CA> Second line here\.\n {2}3: CA> Third line\.\n {2}4:\s*\n {2}5:/);
    // The heading names /d and /e and is wrapped to the screen, not cut at its edge.
    assert.match(editor, /Line mode: \/s save, \/a abort, \/q quote, \/l list, \/d delete, \/e edit, \/\? help\s*\n\(each alone on a line\)\./);
    c.send('/d 2\r');
    // The lines after it move up: listed again, so the numbers on the screen are the new ones.
    await atPrompt(/Deleted line 2\.\n {2}1: CA> First line of the original\.\n {2}2: CA> Third line\.\n {2}3:\s*\n {2}4:/);
    c.send('/e 1\r');
    await atPrompt(/\n {2}1: CA> First line of the original\./);
    c.send(`${'\x7f'.repeat('original.'.length)}opening.\r`);
    await atPrompt(/\n {2}1: CA> First line of the opening\.\n {2}4:/);
    c.send('My answer.\r');
    await atPrompt(/\n {2}4: My answer\.\n {2}5:/);
    c.send('/l\r');
    await atPrompt(/\/l\n {2}1: CA> First line of the opening\.\n {2}2: CA> Third line\.\n {2}3:\s*\n {2}4: My answer\.\n {2}5:/);
    c.send('/s\r');
    const done = await c.waitScreen(/Message #\d+ posted/);
    assert.equal(await postedBody(board.dataDir, done), 'CA> First line of the opening.\nCA> Third line.\n\nMy answer.');
  });
});
