// The screens a caller meets outside the message and file areas, on narrow screens (a
// phone's browser is about 40 columns, some terminals 24), with inetutils telnet in tmux
// windows that narrow from the start (its first NAWS says so): the welcome, the new-user
// application and its quota's refusal, the main menu, who's online (a page typed and
// received), chat, split-screen chat, mail, doors, user settings, a failing script's
// apology, a sysop's kick, the idle warning and the goodbye. Each sentence breaks between
// words (the terminal broke them mid-word), no row runs onto the next, and the art's boxes
// are drawn whole at the width (the 80-column box was cut at the screen's edge).
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { eventually, scratchDir } from '@carrier/core/testing';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'narrow-screens-9';
const door = join(repoRoot, 'tests/fixtures/doors/echo-door.mjs');

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `text` on the screen broken only between its words: a space, or the end of a row and the next row's indent. */
const byWords = (text: string): RegExp => new RegExp(text.split(' ').map(escape).join('\\s+'));
/** The text inside the art's box (between its sides), its rows joined by spaces: what the box says. */
const boxText = (screen: string): string => screen.split('\n').flatMap((row) => /^║(.*)║$/.exec(row)?.[1]?.trim() || []).join(' ');
/** Rows that reach the screen's last column, art's boxes aside: the terminal went on with them on the next row. */
const rowsTooWide = (screen: string, cols: number): string[] => screen.split('\n').filter((row) => !/^[╔║╚]/.test(row) && [...row.trimEnd()].length >= cols);

describe('the screens a caller meets, on narrow screens', { timeout: 180_000 }, () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];
  const call = async (handle: string, cols: number, until = /Command:/): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp, until, undefined, cols);
    callers.push(c);
    return c;
  };

  before(async () => {
    tmp = scratchDir('carrier-screens-narrow-e2e');
    const doorsFile = join(tmp, 'doors.yaml');
    writeFileSync(doorsFile, `doors:\n  - { name: echo, description: Echo door that says what you type back to you, command: [${process.execPath}, ${door}], level: 10 }\n`);
    // The shipped board plus a script that fails (B), for its apology.
    const scripts = join(tmp, 'scripts');
    const menus = join(tmp, 'menus');
    cpSync(join(repoRoot, 'scripts'), scripts, { recursive: true });
    writeFileSync(join(scripts, 'boom.ts'), `export default async () => { throw new Error('boom on purpose'); };\n`);
    cpSync(join(repoRoot, 'config', 'menus'), menus, { recursive: true });
    writeFileSync(join(menus, 'main.yaml'), `${readFileSync(join(menus, 'main.yaml'), 'utf8').trimEnd()}\n  - { key: B, text: Blow up, gosub: boom }\n`);
    board = await startCarrier({ logLevel: 'info', scriptsDir: scripts, menusDir: menus, yaml: `doors: { file: ${JSON.stringify(doorsFile)} }\nsecurity: { allowlist: [], newAccounts: { perSource: 1, window: 1h }, penalties: { enabled: false } }` });
    for (const h of ['nadia', 'omar', 'pia', 'rex', 'sam', 'tess', 'uma']) await board.addUser(h, PW);
  });
  // Each test's callers hang up after it: the board takes a few calls at a time from one address.
  // It waits for the board to have seen every call end: under load the next test's first
  // call came while the last ones still counted, was refused, and telnet left a blank screen.
  afterEach(async () => {
    for (const c of callers.splice(0)) c.hangup();
    const count = (event: string): number => board.logs.filter((l) => l['event'] === event).length;
    await eventually(() => count('disconnect') >= count('connect'), 'every call of the test to have ended on the board', { timeoutMs: 30_000 });
  });
  after(async () => {
    await board.stop();
  });

  it('the welcome, the new-user application, the main menu and the goodbye at 24 columns', async () => {
    const c = await TmuxCaller.telnetAtLogin(board.ports.telnet!, 'applicant', tmp, 24);
    callers.push(c);
    let screen = await c.waitScreen(byWords('Type new at the login prompt to apply for an account.'));
    // The 80-column box was cut at the edge ('║        Log in with yo║'): the 24-column one says it all.
    assert.match(screen, /^╚═{22}╝$/m, 'the welcome box is drawn 24 wide');
    assert.match(boxText(screen), byWords('Log in with your handle, or type new to apply for an account.'), screen);
    assert.deepEqual(rowsTooWide(screen, 24), []);
    c.send('new\r');
    screen = await c.waitScreen(byWords('Handle (2-20 letters, digits, space, _ - .):'));
    assert.match(boxText(screen), byWords('Welcome, stranger. Pick a handle (2-20 letters), a password, and tell us where you call from.'), screen);
    c.send('x\r');
    await c.waitScreen(byWords('A handle needs at least 2 characters.'));
    c.send('nadia\r');
    await c.waitScreen(byWords('That handle is taken. Try another.'));
    c.send('zed\r');
    await c.waitScreen(/Password: *$/m);
    c.send('abc\r');
    await c.waitScreen(byWords('A password needs at least 6 characters.'));
    c.send(`${PW}\r`);
    await c.waitScreen(/Password again: *$/m);
    c.send('not-the-same-1\r');
    await c.waitScreen(byWords('The passwords do not match. 2 more tries.'));
    c.send(`${PW}\r`);
    await c.waitScreen(byWords('Where do you call from (city, country; Enter to skip)?'));
    c.send('Lisbon\r');
    screen = await c.waitScreen(byWords('Create the account zed? [Y/n]'));
    assert.deepEqual(rowsTooWide(screen, 24), []);
    c.send('y');
    screen = await c.waitScreen(/Command: *$/m);
    assert.match(screen, /^╚═{22}╝$/m, 'the main menu box is drawn 24 wide');
    assert.match(boxText(screen), byWords('main menu: press a highlighted key'), screen);
    assert.deepEqual(rowsTooWide(screen, 24), []);
    c.send('z');
    screen = await c.waitScreen(byWords('Unknown command. Press a highlighted key.'));
    assert.deepEqual(rowsTooWide(screen, 24), []);
    c.keepAfterExit();
    c.send('g');
    screen = await c.waitScreen(byWords('Goodbye, zed. Call again soon.'));
    assert.match(boxText(screen), byWords('Thanks for calling. The line is free for the next caller.'), screen);
    // A second application from the address: the board's refusal breaks between words too.
    const again = await TmuxCaller.telnetAtLogin(board.ports.telnet!, 'applicant', tmp, 24);
    callers.push(again);
    again.send('new\r');
    screen = await again.waitScreen(byWords('Too many new accounts from your address lately. Please try again in'));
    assert.deepEqual(rowsTooWide(screen, 24), []);
  });

  it('doors and user settings at 24 columns', async () => {
    const c = await call('nadia', 24);
    c.send('d');
    let screen = await c.waitScreen(byWords('[1] Echo door that says what you type back to you 30m'));
    assert.deepEqual(rowsTooWide(screen, 24), [], 'the rule and the door rows fit');
    assert.match(screen, /^Door[^\n]*: *$/m);
    c.send('\r');
    await c.waitScreen(/Command: *$/m);
    c.send('u');
    screen = await c.waitScreen(/Change which\? *$/m);
    for (const row of ['[P] Password: change it', '[L] Location: not given', '[E] Encoding: UTF-8, as your terminal said', '[M] Menus: hotkeys (one key)', '[N] New-scan at login: off', '[Q] Back']) {
      assert.match(screen, byWords(row));
    }
    assert.deepEqual(rowsTooWide(screen, 24), []);
    c.send('l');
    await c.waitScreen(byWords('Where do you call from (city, country; Enter keeps it)?'));
    c.send('\r');
    await c.waitScreen(/Change which\? *$/m);
    c.send('e');
    screen = await c.waitScreen(/Choice: *$/m);
    for (const row of ['Which characters does your terminal draw?', '[U] UTF-8 (most modern terminals)', '[C] CP437 (SyncTERM, NetRunner, DOS terminals)', '[A] As my terminal says (from the next login)']) {
      assert.match(screen, byWords(row));
    }
    c.send('x');
    await c.waitScreen(/Change which\? *$/m);
    c.send('p');
    await c.waitScreen(/Current password: *$/m);
    c.send('wrong-password-1\r');
    await c.waitScreen(byWords('That is not your password. Try again, or Enter to leave it.'), 20_000);
    c.send(`${PW}\r`);
    screen = await c.waitScreen(byWords('Now the new one, twice (the same rules as when you joined; Enter cancels).'));
    assert.deepEqual(rowsTooWide(screen, 24), []);
    c.send('\r');
    await c.waitScreen(byWords('Your password is unchanged.'));
  });

  it('mail at 24 columns: the send flow, the outbox, the note at login', async () => {
    const c = await call('nadia', 24);
    c.send('e');
    await c.waitScreen(/\[S R O Q \?\]: *$/m);
    c.send('s');
    await c.waitScreen(/To: *$/m);
    c.send('oma\r');
    await c.waitScreen(byWords('There is no user called oma. Mail omar? [Y/n]'));
    c.send('y');
    await c.waitScreen(/Subject: *$/m);
    c.send('A subject long enough to be cut on a narrow screen\r');
    await c.waitScreen(/\^Z save/);
    c.send('See you on the board.\x1a');
    await c.waitScreen(/Mail sent to omar\./);
    c.send('o');
    const screen = await c.waitScreen(/Enter[^\n]*: *$/m);
    assert.match(screen, /^\* +1 omar: A subject/m, 'the row shows whom to and what about');
    assert.deepEqual(rowsTooWide(screen, 24), [], 'the title, the row and the prompt fit');
    await call('omar', 24, byWords('You have 1 new mail (E on the main menu reads it).'));
  });

  it("a page breaks between words at 24 columns, and what the pager types shows its end", async () => {
    const c = await call('pia', 24);
    const text = 'are you around? I wanted to ask you about the file areas';
    const pager = await call('rex', 24);
    pager.send('w');
    const list = await pager.waitScreen(/^\d+ +pia /m);
    const nodes = list.split('\n').filter((l) => /^\d+ +\S/.test(l)).map((l) => l.split(/ +/)[1]);
    const steps = nodes.indexOf('pia') - nodes.indexOf('rex');
    pager.send((steps > 0 ? '\x1b[B' : '\x1b[A').repeat(Math.abs(steps)));
    pager.send('p');
    await pager.waitScreen(/Page pia: _/);
    // Typed on the status row: its end, where the caller types, stays in view (it went on out of sight).
    pager.send(text);
    await pager.waitScreen(/^Page pia: <[^\n]*areas_\s*$/m);
    pager.send('\r');
    const screen = await c.waitScreen(byWords('*** Page from rex'));
    await c.waitScreen(byWords(text));
    assert.deepEqual(rowsTooWide(await c.screen(), 24), [], screen);
  });

  it("chat's status row and who's online's title fit 24 columns", async () => {
    // Two callers: 'Who's online - 2 callers' is 24 columns, and went on onto the column names' row.
    await call('rex', 80);
    const c = await call('nadia', 24);
    c.send('w');
    let screen = await c.waitScreen(/Space back/);
    assert.match(screen, /^Who's online[^\n]*\nNo[^\n]*Handle/m, 'the title takes one row, the column names the next');
    assert.match(screen, /^\d+ +nadia +who's on/m, "a caller's activity keeps a few words (it kept its first letter)");
    assert.match(boxText(screen), byWords('Everyone on the board right now, on every node.'), screen);
    c.send(' ');
    await c.waitScreen(/Command: *$/m);
    c.send('c');
    screen = await c.waitScreen(/#lobby \| \d+ here/);
    assert.match(screen, /^ \/help {2}Esc leaves\s*$/m, 'the status row says how to leave, whole');
    assert.match(boxText(screen), byWords('Say hello: everyone in the room sees what you type.'), screen);
  });

  it("split-screen chat's bar keeps 'ESC' at 24 columns, asking and chatting", async () => {
    const tess = await call('tess', 80);
    const c = await call('sam', 24);
    c.send('w');
    const list = await c.waitScreen(/^\d+ +tess /m);
    const nodes = list.split('\n').filter((l) => /^\d+ +\S/.test(l)).map((l) => l.split(/ +/)[1]);
    const steps = nodes.indexOf('tess') - nodes.indexOf('sam');
    c.send((steps > 0 ? '\x1b[B' : '\x1b[A').repeat(Math.abs(steps)));
    c.send('c');
    // (it was ' sam | waiting for tes': how to leave never showed)
    await c.waitScreen(/^ waiting for tess \| ESC\s*$/m);
    await tess.waitScreen(/Ctrl-Y/);
    tess.send('\x19');
    await c.waitScreen(/^ with tess \| ESC ends\s*$/m);
    c.send('\x1b');
    tess.send('\x1b');
  });

  it("a failing script's apology and the sysop's reason for a kick break between words at 24 columns", async () => {
    const c = await call('uma', 24);
    c.send('b');
    let screen = await c.waitScreen(byWords('Sorry, something went wrong. Back to where you were.'));
    assert.deepEqual(rowsTooWide(screen, 24), []);
    c.send(' ');
    await c.waitScreen(/Command: *$/m);
    c.keepAfterExit();
    const kicked = await board.cli(['kick', 'uma', 'the sysop is checking the disks tonight']);
    assert.equal(kicked.code, 0, kicked.stderr);
    await c.waitScreen(byWords('Disconnected: the sysop is checking the disks tonight'));
  });

  it("the art's boxes at 40 columns: the welcome, the main menu, who's online and chat", async () => {
    const c = await TmuxCaller.telnetAtLogin(board.ports.telnet!, 'pia', tmp, 40);
    callers.push(c);
    let screen = await c.screen();
    assert.match(screen, /^╚═{38}╝$/m, 'the welcome box is drawn 40 wide');
    assert.match(boxText(screen), byWords('a bulletin board for telnet, ssh and rlogin Log in with your handle, or type new to apply for an account.'), screen);
    assert.deepEqual(rowsTooWide(screen, 40), []);
    c.send('pia\r');
    await c.waitScreen(/password:/);
    c.send(`${PW}\r`);
    screen = await c.waitScreen(/Command: *$/m);
    assert.match(boxText(screen), byWords('main menu: press a highlighted key'), screen);
    c.send('w');
    screen = await c.waitScreen(/Space back/);
    assert.match(boxText(screen), byWords('Everyone on the board right now, on every node.'), screen);
    c.send(' ');
    await c.waitScreen(/Command: *$/m);
    c.send('c');
    screen = await c.waitScreen(/#lobby \| \d+ here/);
    assert.match(boxText(screen), byWords('Say hello: everyone in the room sees what you type.'), screen);
    assert.match(screen, /^ \/help commands {2}Esc leaves {2}PgUp\/PgDn\s*$/m, 'the status row whole');
  });
});

describe('the idle warning on a narrow screen', { timeout: 120_000 }, () => {
  let board: Carrier;
  let tmp: string;
  let c: TmuxCaller | undefined;

  before(async () => {
    tmp = scratchDir('carrier-idle-narrow-e2e');
    board = await startCarrier({ logLevel: 'info', yaml: 'session: { idleTimeout: 8s }' });
    await board.addUser('quinn', PW);
  });
  after(async () => {
    c?.hangup();
    await board.stop();
  });

  it('breaks between words at 24 columns', async () => {
    c = await TmuxCaller.telnet(board.ports.telnet!, 'quinn', PW, tmp, /Command:/, undefined, 24);
    const screen = await c.waitScreen(byWords('*** You have been idle: disconnecting in 4 seconds. Press a key to stay.'), 20_000);
    assert.deepEqual(rowsTooWide(screen, 24), []);
  });
});
