// Issue 11 item 3: who's online and chat opened behind a 1.2 s title card that swallowed
// the keys typed meanwhile (`c` then `quickly` arrived as `uickly`; `w` then `p` lost the
// `p`). They open at once now, and keys typed while a view opens go to that view.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';

/** The status line's answer to P on your own row; blessed skips unchanged cells with cursor-forward. */
const THATS_YOU = /That's(?: |\x1b\[\d*C)you\./;

describe('keys typed while a full-screen view opens reach it (issue 11 item 3)', { timeout: 120_000 }, () => {
  let board: Carrier;
  const callers: RawTelnet[] = [];

  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', 'wonderland-7');
    await board.addUser('Dr Watson', 'wonderland-7', true);
  });
  after(async () => {
    for (const c of callers) c.close();
    await board?.stop();
  });

  it('`c` then `quickly` arrives in chat whole', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland-7', { size: { cols: 80, rows: 25 } });
    callers.push(c);
    const from = c.text().length;
    // One write: the menu reads `c`, chat opens and must find `quickly` still queued.
    c.send('cquickly');
    await c.waitFor('/help for commands', 30_000, from);
    const after = (): string => c.text().slice(from).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    await c.waitFor('quickly', 15_000, from).catch(() => undefined);
    assert.match(after(), /quickly/, `chat's input line shows what was typed: ${JSON.stringify(after().slice(-120))}`);
    c.send('\x15/quit\r');
    await c.waitFor('Command:', 15_000, c.text().length - 1);
  });

  it('`w` then `p` reaches who\'s online', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland-7', { size: { cols: 80, rows: 25 } });
    callers.push(c);
    const from = c.text().length;
    c.send('w');
    c.send('p');
    // The list opens with the caller's own row selected, so P answers for it.
    await c.waitFor(THATS_YOU, 30_000, from);
    c.send('q');
    await c.waitFor('Command:', 15_000, c.text().length - 1);
  });

  it('`w`, then `p` a moment later (while the list is loading or just drawn), reaches who\'s online', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland-7', { size: { cols: 80, rows: 25 } });
    callers.push(c);
    for (const gapMs of [50, 300, 800]) {
      const from = c.text().length;
      c.send('w');
      await new Promise((r) => setTimeout(r, gapMs));
      c.send('p');
      await c.waitFor(THATS_YOU, 30_000, from);
      c.send('q');
      await c.waitFor('Command:', 15_000, c.text().length - 1);
    }
  });

  it('keys typed after the one that closes a view reach the menu: `q` then `o` in one write opens the oneliners', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland-7', { size: { cols: 80, rows: 25 } });
    callers.push(c);
    c.send('w');
    await c.waitFor(/Space(?: |\x1b\[\d*C)back/, 30_000, c.text().length);
    const from = c.text().length;
    c.send('qo');
    await c.waitFor('what callers left on the wall', 15_000, from);
  });

  it('`!` then `q` in one write: the sysop console opens and quits (keys queued while it dialled reach it)', async () => {
    const c = await loginRaw(board.ports.telnet!, 'Dr Watson', 'wonderland-7', { size: { cols: 100, rows: 30 } });
    callers.push(c);
    const from = c.text().length;
    c.send('!q');
    await c.waitFor(/S(?: |\x1b\[\d*C)spy/, 30_000, from);
    await c.waitFor('Command:', 30_000, from);
  });
});
