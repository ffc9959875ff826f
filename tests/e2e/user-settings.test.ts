// The user-settings screen (U on the main menu), end to end over telnet: a caller
// changes their password (the old one stops working, the new one logs in), chooses CP437
// (applied at once and at the next login, whatever the terminal said), switches to
// lightbar menus and turns on the new-scan at login. Q or Escape goes back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, RawTelnet } from '../raw-telnet.js';
import { TmuxCaller } from './messages-callers.js';

const HANDLE = 'ursula';
const OLD_PW = 'orchard lantern 41';
const NEW_PW = 'copper kettle 73';
/** An xterm says UTF-8 by its type; the caller's choice must win over it. */
const TERMINAL = { terminalType: 'xterm-256color', size: { cols: 80, rows: 25 }, localAddress: '127.0.0.2' };
const WAIT = 20_000;
/** ═══ in CP437 and in UTF-8: art/main.ans draws its frame with it. */
const FRAME_CP437 = Buffer.from([0xcd, 0xcd, 0xcd]);
const FRAME_UTF8 = Buffer.from('═══', 'utf8');

/** The bytes received since `from` (a length of `c.bytes`). */
const since = (c: RawTelnet, from: number): Buffer => c.bytes.subarray(from);

async function openSettings(c: RawTelnet): Promise<void> {
  c.send('u');
  await c.waitForNext('Change which?', WAIT);
}

describe('user settings (U)', { timeout: 180_000 }, () => {
  let board: Carrier;
  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser(HANDLE, OLD_PW);
  });
  after(async () => {
    await board.stop();
  });

  it('changes the password: the current one is asked first, the new one twice; the old one then fails', async () => {
    const c = await loginRaw(board.ports.telnet!, HANDLE, OLD_PW, TERMINAL);
    try {
      assert.match(c.text(), /\[.*U.*\].*User settings/);
      await openSettings(c);
      c.send('p');
      await c.waitForNext('Current password:', WAIT);
      c.send('not my password\r');
      await c.waitForNext('That is not your password. Try again', WAIT);
      c.send(`${OLD_PW}\r`);
      await c.waitForNext('Password:', WAIT);
      c.send(`${NEW_PW}\r`);
      await c.waitForNext('Password again:', WAIT);
      c.send('copper kettle 74\r');
      await c.waitForNext('do not match', WAIT);
      c.send(`${NEW_PW}\r`);
      await c.waitForNext('Your password is changed', WAIT);
      c.send(' ');
      await c.waitForNext('Change which?', WAIT);
      c.send('q');
      await c.waitForNext('Command:', WAIT);
      c.send('g');
      await c.waitClosed(WAIT);
    } finally {
      c.close();
    }
    await board.waitForLog((l) => l['event'] === 'settings.password_changed');

    const stale = await RawTelnet.connect({ port: board.ports.telnet!, ...TERMINAL });
    try {
      await stale.waitFor('login:', WAIT);
      stale.send(`${HANDLE}\r`);
      await stale.waitFor('password:', WAIT);
      stale.send(`${OLD_PW}\r`);
      await stale.waitForNext('Login incorrect', WAIT);
    } finally {
      stale.close();
    }
    const fresh = await loginRaw(board.ports.telnet!, HANDLE, NEW_PW, TERMINAL);
    fresh.close();
  });

  it('CP437 is applied at once and at the next login, over the terminal type that said UTF-8', async () => {
    const c = await loginRaw(board.ports.telnet!, HANDLE, NEW_PW, TERMINAL);
    try {
      assert.ok(c.bytes.includes(FRAME_UTF8), 'before the choice, the xterm gets UTF-8');
      await openSettings(c);
      c.send('e');
      await c.waitForNext('Choice:', WAIT);
      const mark = c.bytes.length;
      c.send('c');
      await c.waitForNext('should look like a box', WAIT);
      assert.ok(since(c, mark).includes(Buffer.from([0xc9, 0xcd, 0xcd, 0xbb])), 'the sample box is sent in CP437 at once');
      c.send(' ');
      await c.waitForNext('your choice', WAIT);
      c.send('\x1b');
      await c.waitForNext('Command:', WAIT);
      c.send('g');
      await c.waitClosed(WAIT);
    } finally {
      c.close();
    }

    const again = await loginRaw(board.ports.telnet!, HANDLE, NEW_PW, TERMINAL);
    try {
      const from = again.text().lastIndexOf('password:');
      const afterLogin = again.bytes.subarray(from);
      assert.ok(afterLogin.includes(FRAME_CP437), 'the main menu art comes in CP437');
      assert.ok(!afterLogin.includes(FRAME_UTF8), 'and not in UTF-8');
      await openSettings(again);
      assert.match(again.text(), /Encoding.*CP437 \(IBM PC\), your choice/);
      // Back to "as negotiated", for the next test's caller.
      again.send('e');
      await again.waitForNext('Choice:', WAIT);
      again.send('a');
      again.send(' ');
      await again.waitForNext('Change which?', WAIT);
      again.send('q');
      await again.waitForNext('Command:', WAIT);
    } finally {
      again.close();
    }
    const negotiated = await loginRaw(board.ports.telnet!, HANDLE, NEW_PW, TERMINAL);
    assert.ok(negotiated.bytes.includes(FRAME_UTF8), '"as my terminal says" is UTF-8 again for the xterm');
    negotiated.close();
  });

  it('new-scan at login and lightbar menus are kept for the next call', async () => {
    const c = await loginRaw(board.ports.telnet!, HANDLE, NEW_PW, TERMINAL);
    try {
      assert.doesNotMatch(c.text(), /No new messages/, 'new-scan at login is off for a new account');
      await openSettings(c);
      assert.match(c.text(), /New-scan at login\S*\s+\S*off/);
      c.send('n');
      await c.waitForNext(/New-scan at login\S*\s+\S*on/, WAIT);
      c.send('m');
      await c.waitForNext(/Menus\S*\s+\S*lightbar/, WAIT);
      c.send('q');
      await c.waitForNext('User settings', WAIT);
      c.send('g');
      await c.waitClosed(WAIT);
    } finally {
      c.close();
    }

    const again = await RawTelnet.connect({ port: board.ports.telnet!, ...TERMINAL });
    try {
      await again.waitFor('login:', WAIT);
      again.send(`${HANDLE}\r`);
      await again.waitFor('password:', WAIT);
      again.send(`${NEW_PW}\r`);
      // The new-scan, then the lightbar, which draws the items, not the hotkey prompt (an
      // item's key still picks it). One wait: both can arrive in one read.
      await again.waitForNext(/No new messages\.[\s\S]*User settings/, WAIT);
      assert.doesNotMatch(again.text().slice(again.text().lastIndexOf('password:')), /Command:/);
      await openSettings(again);
      again.send('m');
      await again.waitForNext(/Menus\S*\s+\S*hotkeys/, WAIT);
      again.send('n');
      await again.waitForNext(/New-scan at login\S*\s+\S*off/, WAIT);
      again.send('q');
      await again.waitForNext('Command:', WAIT);
    } finally {
      again.close();
    }
  });

  it('the location is changed, shown in last callers at once, and cleared with -', async () => {
    const c = await loginRaw(board.ports.telnet!, HANDLE, NEW_PW, TERMINAL);
    try {
      /** L, the question (its Enter-keeps hint), the answer, and the settings row it leaves. */
      const answer = async (asked: string, typed: string, row: string): Promise<void> => {
        c.send('l');
        await c.waitForNext(asked, WAIT);
        c.send(`${typed}\r`);
        await c.waitForNext(new RegExp(`Location\\S*\\s+\\S*${row}`), WAIT);
      };
      await openSettings(c);
      assert.match(c.text(), /Location\S*\s+\S*not given/);
      await answer('Where do you call from', 'Bergen, Norway', 'Bergen, Norway');
      c.send('q');
      await c.waitForNext('Command:', WAIT);
      // Last callers reads the account as it is now: the caller on now shows the new place.
      c.send('l');
      await c.waitForNext(/ursula.*Bergen, Norway/, WAIT);
      c.send('q');
      await c.waitForNext('Command:', WAIT);
      await openSettings(c);
      await answer('- clears it', '', 'Bergen, Norway');
      await answer('- clears it', '-', 'not given');
      c.send('q');
      await c.waitForNext('Command:', WAIT);
    } finally {
      c.close();
    }
    await board.waitForLog((l) => l['event'] === 'settings.changed' && l['setting'] === 'location' && l['value'] === 'cleared');
  });

  it('the lightbar menu is drawn again when the window is resized (inetutils telnet, NAWS)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'carrier-lightbar-'));
    const c = await TmuxCaller.telnet(board.ports.telnet!, HANDLE, NEW_PW, tmp);
    try {
      c.send('u');
      await c.waitScreen(/Change which\?/);
      c.send('m');
      await c.waitScreen(/Menus\s+lightbar/);
      c.resize(30, 10);
      c.send('q');
      // Ten rows: a window of eight entries, Who's online first, Goodbye out of sight.
      await c.waitScreen(/Who's online[\s\S]*File areas/);
      assert.doesNotMatch(await c.screen(), /Goodbye/);
      c.resize(80, 30);
      await c.waitScreen(/Who's online[\s\S]*File areas[\s\S]*User settings\s+G +Goodbye/);
      // Still a lightbar that answers: End, Up and Enter pick User settings.
      c.send('\x1b[F\x1b[A\r');
      await c.waitScreen(/Change which\?/);
    } finally {
      c.hangup();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
