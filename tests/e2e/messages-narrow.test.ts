// The message reader and editor on a 24-column screen, with inetutils telnet in a tmux
// window that narrow from the start (its first NAWS says 24): the prompts fit one row
// (the reader's took three), the area header two (it took three), J's areas a row each,
// L's header and prompt and S's question a row each, quoted rows keep their initials when
// the screen's width breaks them (in the reader and in a reply), and the editor's help
// wraps its words.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'narrow-screen-4';
const COLS = 24;
/** A paragraph the writer's editor wrapped at 80 columns, quoted by erin from gus. */
const QUOTED = [
  'GU> alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike',
  'GU> november oscar papa quebec romeo sierra tango uniform victor whiskey',
];
const NATO = /\b(alpha|bravo|charlie|delta|echo|foxtrot|golf|hotel|india|juliett|kilo|lima|mike|november|oscar|papa|quebec|romeo|sierra|tango|uniform|victor|whiskey)\b/;

describe('the message reader and editor on a 24-column screen', { timeout: 120_000 }, () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];
  /** jill on inetutils telnet in a 24-column window, at the main menu. */
  const call = async (): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'jill', PW, tmp, /Command:/, undefined, COLS);
    callers.push(c);
    return c;
  };

  before(async () => {
    tmp = scratchDir('carrier-msg-narrow-e2e');
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('jill', PW);
    await board.addUser('erin', PW);
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'erin', '--subject', 'Narrow'], [...QUOTED, '', 'I agree.'].join('\n'));
    assert.equal(posted.code, 0, posted.stderr);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  /** Screen rows (trailing blanks dropped) that name a NATO word: the quoted text. */
  const quotedRows = (screen: string): string[] => screen.split('\n').filter((row) => NATO.test(row));

  it('the prompts fit one row: the keys and ?, which says what each does; the area header takes two, J\'s areas, L\'s header and S\'s question one each', async () => {
    const c = await call();
    c.send('m');
    // (the header was 'Area: General (general, Local) - 1 message, 1 new' on three rows, broken mid-word)
    await c.waitScreen(/^Area: General\s*\n1 message, 1 new\s*\n\[J P R L N S A Q \?\]:\s*$/m);
    // J's list: an area a row (its columns, padded to 48, took three)
    c.send('j');
    await c.waitScreen(/^Local\s*\n {2}1 General 1 new\s*\n {2}2 Announcements\s*\nArea \(number or name\): *$/m);
    c.send('\r');
    await c.waitScreen(/Area \(number or name\):\s*\n+Area: General\s*\n1 message, 1 new\s*\n\[J P R L N S A Q \?\]:\s*$/);
    // L's header and prompt: a row each (three each before)
    c.send('l');
    await c.waitScreen(/^General - \* is new\s*\n\* +\d+ erin\s*\n\[Enter B Q #\]: *$/m);
    c.send('q\r');
    await c.waitScreen(/\[Enter B Q #\]: q\s*\n+Area: General\s*\n1 message, 1 new\s*\n\[J P R L N S A Q \?\]:\s*$/);
    // S asks where on one row (two before)
    c.send('s');
    await c.waitScreen(/^Search for: *$/m);
    c.send('agree\r');
    await c.waitScreen(/^Search for: agree\s*\nThis area or All\? *$/m);
    c.send('t');
    await c.waitScreen(/^1 found\s*\n +\d+ general .*\nRead which number\? *$/m);
    c.send('\r');
    await c.waitScreen(/Read which number\?\s*\n+Area: General\s*\n1 message, 1 new\s*\n\[J P R L N S A Q \?\]:\s*$/);
    c.send('r');
    await c.waitScreen(/^I agree\.\s*\n\[N P R T \+ - Q \?\]:\s*$/m);
    c.send('?');
    const legend = await c.waitScreen(/^R {2}Reply\s*\n[\s\S]*^Q {2}Quit\s*\n\[N P R T \+ - Q \?\]:\s*$/m);
    assert.match(legend, /^\+ {2}thread next$/m);
    c.send('q');
    await c.waitScreen(/Area: General[\s\S]*\[J P R L N S A Q \?\]:\s*$/);
    c.hangup();
  });

  it('quoted rows keep their marks in the reader and in a reply; the editor\'s help wraps its words', async () => {
    const c = await call();
    c.send('m');
    await c.waitScreen(/Area: General/);
    c.send('r');
    const reading = await c.waitScreen(/^I agree\.\s*\n\S/m);
    const rows = quotedRows(reading);
    assert.ok(rows.length >= 6, `the quote broken into rows: ${JSON.stringify(rows)}`);
    for (const row of rows) {
      assert.match(row, /^GU> /, `a quoted row without its marks: ${JSON.stringify(reading)}`);
      assert.ok(row.trimEnd().length <= COLS - 1, row);
    }

    // a reply quotes erin's quote of gus: every row of it keeps `ER> GU> `
    c.send('r');
    await c.waitScreen(/To: erin/);
    c.send('\r');
    await c.waitScreen(/Subject: /);
    c.send('\r');
    const editor = await c.waitScreen(/\^Z save/);
    const quoted = quotedRows(editor);
    assert.ok(quoted.length >= 8, `the quote broken into rows: ${JSON.stringify(editor)}`);
    for (const row of quoted) assert.match(row, /^ER> GU> /, `a quoted row without its initials: ${JSON.stringify(editor)}`);
    for (const row of editor.split('\n')) assert.ok(row.trimEnd().length <= COLS - 1, JSON.stringify(row));

    // the help: every description whole, under its key
    c.send('\x0b');
    const help = await c.waitScreen(/^Ctrl-Z\s*\n {2}save the message\s*\n/m);
    assert.match(help, /^Esc\s*\n {2}abort \(asks first\)\s*$/m);
    assert.match(help, /^ Any key: more/m);
    c.send('\x1b');
    await c.waitScreen(/\^Z save/);
    c.send('\x1b');
    await c.waitScreen(/Abort message\?/);
    c.send('y');
    await c.waitScreen(/Message aborted\./);
    c.hangup();
  });
  /** jill opens Announcements (area 2) and reads its first message, 'Short body.'. */
  const readAnnouncements = async (): Promise<TmuxCaller> => {
    const c = await call();
    c.send('m');
    await c.waitScreen(/\[J P R L N S A Q \?\]:\s*$/);
    c.send('j');
    await c.waitScreen(/Area \(number or name\): *$/m);
    c.send('2\r');
    await c.waitScreen(/^Area: Announcements/m);
    c.send('r');
    await c.waitScreen(/^Short body\.\s*\n\[N P R T \+ - Q \?\]:\s*$/m);
    return c;
  };

  it("the thread view's Thread row fits one row, its 60-character subject cut (it took three)", async () => {
    const subject = 'A subject long enough to take three rows of a narrow screen';
    const posted = await board.cli(['msg', 'post', 'announcements', '--from', 'erin', '--subject', subject], 'Short body.');
    assert.equal(posted.code, 0, posted.stderr);
    const c = await readAnnouncements();
    c.send('t');
    // 'Thread: ' and the subject cut to what is left of 23 columns, then the tree
    const tree = await c.waitScreen(/^Read which number\? *$/m);
    assert.match(tree, /^Thread: A subject long\s*\n>#\d+ erin: A subject/m);
    c.send('\r');
    await c.waitScreen(/\[N P R T \+ - Q \?\]:\s*$/);
    c.hangup();
  });

  it("a tree row with a subject of wide (CJK) characters is cut by columns, not characters: one row", async () => {
    // 23 characters of the row were 35 columns when it was cut by characters.
    const subject = '日本語の長い件名のテストです';
    const posted = await board.cli(['msg', 'post', 'announcements', '--from', 'erin', '--subject', subject], 'Wide body.');
    assert.equal(posted.code, 0, posted.stderr);
    const c = await readAnnouncements();
    c.send('n');
    await c.waitScreen(/^Wide body\.\s*\n\[N P R T \+ - Q \?\]:\s*$/m);
    c.send('t');
    const tree = await c.waitScreen(/^Read which number\? *$/m);
    assert.match(tree, /^>#\d+ erin: 日本[^\n]*\nRead which number\?/m);
    c.hangup();
  });
});
