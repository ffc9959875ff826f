// A caller whose terminal says it is `dumb` (TERM=dumb telnet, a teletype) gets plain
// text: no escape sequence in the welcome, the menus or who's online, and the views
// that need cursor control (chat) say so instead of drawing. A raw telnet caller that
// answers TTYPE with "dumb".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { RawTelnet } from '../raw-telnet.js';

const PW = 'correct-horse-7';

describe('a dumb terminal', () => {
  let board: Carrier;
  before(async () => {
    board = await startCarrier({});
    await board.addUser('tty', PW);
  });
  after(async () => {
    await board.stop();
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
    } finally {
      c.close();
    }
  });
});
