// A reply's quote when the caller's window is resized while writing, with inetutils telnet
// in a tmux pane (NAWS): a quoted line wider than the new width keeps its `IR> ` on every
// row it is broken into, on screen and as posted, and a wider window joins the rows again;
// typing into a quoted row keeps the marks on the row its overflow goes onto.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { scratchDir } from '@carrier/core/testing';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'quote-resize-7';
const CTRL_Z = '\x1a';
const LONG = 'The quick brown fox jumps over the lazy dog while the sysop watches the log';

describe('a reply\'s quote re-wrapped by a resize over inetutils telnet', { timeout: 120_000 }, () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];

  before(async () => {
    tmp = scratchDir('carrier-quote-resize-e2e');
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('hank', PW);
    await board.addUser('iris', PW);
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'iris', '--subject', 'Quote me'], `${LONG}\nshort line`);
    assert.equal(posted.code, 0, posted.stderr);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  it('narrower, each row of a quoted line keeps its marks and the cursor its character; wider, the line is whole again; posted narrow, every row is marked', async () => {
    const hank = await TmuxCaller.telnet(board.ports.telnet!, 'hank', PW, tmp);
    callers.push(hank);
    hank.send('m');
    await hank.waitScreen(/Area: General/);
    hank.send('r');
    await hank.waitScreen(/Subject: Quote me[\s\S]*\[R\]eply/);
    hank.send('r');
    await hank.waitScreen(/To: iris/);
    hank.send('\r');
    await hank.waitScreen(/Subject: Re: Quote me/);
    hank.send('\r');
    await hank.waitScreen(new RegExp(`^IR> ${LONG}\\s*\\nIR> short line\\s*$[\\s\\S]*Ctrl-Z save`, 'm'));
    // the cursor onto the 's' of 'sysop' (the reply opens on the line after the quote's blank one)
    hank.send(`${'\x1b[A'.repeat(3)}\x1b[H${'\x1b[C'.repeat(4 + LONG.indexOf('sysop'))}`);
    hank.resize(40, 25);
    const narrow = await hank.waitScreen(/^IR> The quick brown fox jumps over the\s*\nIR> lazy dog while the sysop watches\s*\nIR> the log\s*\nIR> short line\s*$/m);
    for (const row of narrow.split('\n')) assert.ok(row.trimEnd().length <= 39, `row wider than 39 columns at 40: ${JSON.stringify(row)}`);
    // typing goes in at the same character
    hank.send('X');
    await hank.waitScreen(/^IR> lazy dog while the Xsysop watches\s*\nIR> the log\s*$/m);
    hank.send('\x7f');
    await hank.waitScreen(/^IR> lazy dog while the sysop watches\s*$/m);
    // wider again: the rows are one line, without the marks they carried
    hank.resize(80, 25);
    await hank.waitScreen(new RegExp(`^IR> ${LONG}\\s*\\nIR> short line\\s*$`, 'm'));
    // (the cursor still on the 's' of 'sysop': an X there takes the line past the width, and
    // 'log' goes on a row of its own with the marks; deleted, it comes back up without them)
    hank.send('X');
    await hank.waitScreen(/^IR> The quick brown fox jumps over the lazy dog while the Xsysop watches the\s*\nIR> log\s*\nIR> short line\s*$/m);
    hank.send('\x7f');
    await hank.waitScreen(new RegExp(`^IR> ${LONG}\\s*\\nIR> short line\\s*$`, 'm'));
    hank.resize(40, 25);
    await hank.waitScreen(/^IR> lazy dog while the sysop watches\s*\nIR> the log\s*$/m);
    // a word typed into a quoted row: what it pushes over the edge goes on the next row, after the marks
    hank.send('big ');
    await hank.waitScreen(/^IR> lazy dog while the big sysop\s*\nIR> watches the log\s*\nIR> short line\s*$/m);
    hank.send(`${'\x1b[B'.repeat(6)}my answer`);
    await hank.waitScreen(/^my answer\s*$/m);
    hank.send(CTRL_Z);
    const posted = await hank.waitScreen(/Message #(\d+) posted in General/);
    const id = Number(/Message #(\d+) posted/.exec(posted)![1]);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const m = await store.messages.get(id);
      assert.equal(m?.body, 'IR> The quick brown fox jumps over the\nIR> lazy dog while the big sysop\nIR> watches the log\nIR> short line\n\nmy answer');
    } finally {
      await store.close();
    }
  });
});
