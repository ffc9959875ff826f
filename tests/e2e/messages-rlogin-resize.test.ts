// The full-screen message editor on an rlogin call whose window changed size after login.
// rlogin cannot report a resize (the request needs a TCP urgent byte, which Node cannot
// send), so the board measures the window again with a cursor-position report when a
// full-screen view opens; the editor is one, and used to keep the size measured at login:
// at 60x20 it wrapped text at 80 columns and put its status row on row 25, and a reply's
// quote was broken at 80 columns, its rows re-wrapped at 60 without their initials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller, writePost } from './messages-callers.js';

const PW = 'window-sized-5';
/** Words that make a 73-column line: one row at 80 columns, two at 60. */
const LONG_LINE = 'alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima';

describe('the message editor over netkit rlogin after the window changed size', { timeout: 120_000 }, () => {
  let board: Carrier;
  let tmp: string;
  let caller: TmuxCaller | undefined;

  before(async () => {
    tmp = scratchDir('carrier-msg-rlogin-resize-e2e');
    board = await startCarrier({ rlogin: true, logLevel: 'info' });
    await board.addUser('kate', PW);
    await board.addUser('lena', PW);
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'lena', '--subject', 'Wide'], `${LONG_LINE} mike november oscar papa`);
    assert.equal(posted.code, 0, posted.stderr);
  });
  after(async () => {
    caller?.hangup();
    await board.stop();
  });

  it('logged in at 80x25, resized to 60x20: the editor wraps at 60 columns and its status row is row 20', { skip: process.getuid?.() !== 0 ? 'netkit rlogin binds a privileged source port: needs root' : false }, async () => {
    const c = (caller = await TmuxCaller.rlogin(board.ports.rlogin!, 'kate', PW, tmp));
    c.resize(60, 20);
    await writePost(c, 'Resized');
    c.send(LONG_LINE);
    // The editor wrapped the line before `juliett` (row 2 is the first text row); at 80
    // columns it stayed one line ('line 1/1') and the terminal broke it mid-word.
    // (Wait for the whole line: the status row says 2/2 as soon as the wrap happens, while the rest is still arriving.)
    const screen = await c.waitScreen(/juliett kilo lima\s*\n[\s\S]*line 2\/2/);
    const rows = screen.split('\n');
    assert.equal(rows.length - 1, 20, 'tmux shows 20 rows');
    assert.match(rows[1] ?? '', /^alpha bravo .* india\s*$/, JSON.stringify(screen));
    assert.match(rows[2] ?? '', /^juliett kilo lima\s*$/, JSON.stringify(screen));
    for (const row of rows) assert.ok(row.trimEnd().length <= 59, JSON.stringify(row));
    assert.match(rows[19] ?? '', /^ INS {2}line 2\/2/, `the status row is the window's last: ${JSON.stringify(screen)}`);
    c.send('\x1a');
    await c.waitScreen(/Message #\d+ posted in General/);
    c.hangup();
  });

  it('a reply opened at 50 columns quotes the original in rows of 50 that keep their initials', { skip: process.getuid?.() !== 0 ? 'netkit rlogin binds a privileged source port: needs root' : false }, async () => {
    const c = (caller = await TmuxCaller.rlogin(board.ports.rlogin!, 'kate', PW, tmp));
    c.resize(50, 20);
    c.send('m');
    await c.waitScreen(/Area: General/);
    c.send('r');
    await c.waitScreen(/Subject: Wide/);
    c.send('r');
    await c.waitScreen(/To: lena/);
    c.send('\r');
    await c.waitScreen(/Subject: Re: Wide/);
    c.send('\r');
    const screen = await c.waitScreen(/\^Z save|Ctrl-Z save/);
    const quoted = screen.split('\n').filter((row) => /alpha|kilo|papa/.test(row));
    assert.ok(quoted.length >= 2, JSON.stringify(screen));
    for (const row of quoted) {
      assert.match(row, /^LE> /, `a quoted row without its initials: ${JSON.stringify(screen)}`);
      assert.ok(row.trimEnd().length <= 49, JSON.stringify(row));
    }
    c.send('\x1b');
    await c.waitScreen(/Abort message\?/);
    c.send('y');
    await c.waitScreen(/Message aborted\./);
  });
});
