// The message editor and reader as a caller meets them, with real clients (inetutils
// telnet in a tmux pane): mail to yourself, an empty message, a message longer than a
// screen, a reply to a long message, text typed at the end of a wrapped line, a window
// narrowed to 40 columns while writing (the text re-wrapped, the help screen).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { eventually } from '@carrier/core/testing';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller, writePost } from './messages-callers.js';

const PW = 'correct-horse-8';
const CTRL_Z = '\x1a';

describe('the message editor and reader with a real telnet client', () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];
  const inetutils = async (handle: string): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp);
    callers.push(c);
    return c;
  };
  /** From the main menu to the editor of a new mail. */
  const writeMail = async (c: TmuxCaller, to: string, subject: string): Promise<void> => {
    c.send('e');
    await c.waitScreen(/Mail - 0 unread/);
    c.send('s');
    await c.waitScreen(/To:/);
    c.send(`${to}\r`);
    await c.waitScreen(/Subject:/);
    c.send(`${subject}\r`);
    await c.waitScreen(/Ctrl-Z save/);
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carrier-msg-editor-e2e-'));
    board = await startCarrier({ logLevel: 'info' });
    for (const h of ['erin', 'frank', 'gina']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('mail to yourself: the new-mail notice lands on a clean screen, with nothing of the editor replayed', async () => {
    const erin = await inetutils('erin');
    await writeMail(erin, 'erin', 'Note to self');
    erin.send('buy milk');
    await erin.waitScreen(/buy milk/);
    erin.send(CTRL_Z);
    const screen = await erin.waitScreen(/Mail sent to erin\.[\s\S]*Mail - 1 unread/);
    assert.match(screen, /^\*\*\* New mail: from erin: Note to self\s*\nMail sent to erin\./m);
    // Before, the notice put back "the line" it thought was on screen: every frame of the editor.
    assert.doesNotMatch(screen, /INS|bytes|Ctrl-Z|buy milk/);
    erin.hangup();
  });

  it("who's online says a caller in the editor is writing a message, and where they are again after", async () => {
    const gina = await inetutils('gina');
    await writePost(gina, 'Activity');
    /** Polls `carrier who` until gina's row ends with `activity`. */
    const doing = (activity: string): Promise<unknown> => {
      let last = '';
      return eventually(
        async () => new RegExp(`^\\d+ +gina +telnet .*${activity}$`, 'm').test((last = (await board.cli(['who'])).stdout)),
        () => `who's online to say gina is ${activity}:\n${last}`,
        { timeoutMs: 15_000 },
      );
    };
    await doing('writing a message');
    gina.send('\x1b');
    await gina.waitScreen(/Abort message\? \(y\/N\)/);
    gina.send('y');
    await gina.waitScreen(/\[J\]ump \[P\]ost/);
    await doing('reading messages');
    gina.hangup();
  });

  it('Ctrl-Z on an empty message asks what to do instead of only ringing the bell', async () => {
    const frank = await inetutils('frank');
    await writeMail(frank, 'erin', 'Empty handed');
    frank.send(CTRL_Z);
    await frank.waitScreen(/Nothing to send: \(A\)bort or \(C\)ontinue\?/);
    frank.send('c');
    await frank.waitScreen(/INS +line 1\/1 +0 bytes/);
    frank.send(CTRL_Z);
    await frank.waitScreen(/Nothing to send: \(A\)bort or \(C\)ontinue\?/);
    frank.send('a');
    await frank.waitScreen(/Mail aborted\.[\s\S]*Mail - 0 unread/);
    frank.hangup();
  });

  it('a message longer than the screen opens at its header, with a More prompt; one message is "1 message"', async () => {
    const subject = `A very long subject ${'x'.repeat(52)}`;
    const body = Array.from({ length: 60 }, (_, i) => `body line ${i + 1}`).join('\n');
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'erin', '--subject', subject], body);
    assert.equal(posted.code, 0, posted.stderr);
    const frank = await inetutils('frank');
    frank.send('m');
    await frank.waitScreen(/Area: General .* - 1 message, 1 new/);
    frank.send('r');
    const first = await frank.waitScreen(/More/);
    const rows = first.split('\n');
    // the header from its first row, each field on one row of the 80 columns, then the body
    assert.match(rows[0]!, /^#\d+ in General \(new\)/);
    assert.match(rows[1]!, /^From: erin/);
    assert.match(rows[3]!, /^Subject: A very long subject x+$/);
    assert.match(rows[4]!, /^Date: /);
    assert.match(rows[6]!, /^body line 1$/);
    assert.match(rows[23]!, /^body line 18$/);
    assert.match(rows[24]!, /More/);
    frank.send(' ');
    await frank.waitScreen(/body line 42[\s\S]*More/);
    frank.send('q');
    await frank.waitScreen(/\[N\]ext/);
    frank.send('q');
    frank.hangup();
  });

  it('a reply to a long message quotes its first lines and says how many more; Ctrl-Q still offers every line', async () => {
    const frank = await inetutils('frank');
    frank.send('m');
    await frank.waitScreen(/Area: General/);
    frank.send('r');
    await frank.waitScreen(/More/);
    frank.send('q');
    await frank.waitScreen(/\[R\]eply/);
    frank.send('r');
    await frank.waitScreen(/To: erin/);
    frank.send('\r');
    // (the default, Re: and the long subject, is wider than its field: the field shows its end)
    await frank.waitScreen(/To: erin\s*\nSubject: x+/);
    frank.send('\r');
    const editor = await frank.waitScreen(/Ctrl-Z save/);
    assert.match(editor, /ER> body line 1\s*\n(ER> body line \d+\s*\n){8}ER> body line 10\s*\nER> \[\.\.\. 50 more lines\]/);
    assert.doesNotMatch(editor, /body line 11\b/);
    frank.send('\x11');
    await frank.waitScreen(/Quote: Up\/Down pick/);
    frank.send('\x1b[6~\x1b[6~');
    await frank.waitScreen(/ER> body line 1[1-9]\b/);
    // Ctrl-Q closes it too (an Esc typed with the next keys would read as Alt-M)
    frank.send('\x11');
    await frank.waitScreen(/^(?![\s\S]*Quote: Up)/);
    frank.send('My answer');
    await frank.waitScreen(/My answer/);
    frank.send(CTRL_Z);
    await frank.waitScreen(/Message #\d+ posted in General/);
    frank.hangup();
  });

  it('text typed at the end of a wrapped line keeps its space when the paragraph re-wraps, on screen and as posted', async () => {
    const frank = await inetutils('frank');
    await writePost(frank, 'Wrapped edit');
    frank.send('aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt');
    await frank.waitScreen(/ pppp\s*\nqqqq rrrr ssss tttt/);
    // Up, Home, 'XX ' re-wraps; Up, End (the keys inetutils telnet passes on from xterm), ' ZZ'
    frank.send('\x1b[A\x1b[HXX ');
    await frank.waitScreen(/^XX aaaa .* oooo\s*\npppp qqqq/m);
    frank.send('\x1b[A\x1b[F ZZ');
    // before, ZZ came down glued to the next word: `ZZpppp`
    await frank.waitScreen(/^XX aaaa .* nnnn oooo\s*\nZZ pppp qqqq rrrr ssss tttt/m);
    frank.send(CTRL_Z);
    await frank.waitScreen(/Message #\d+ posted in General/);
    frank.hangup();
    // read back by erin (who has mail waiting from the first test)
    const erin = await TmuxCaller.telnet(board.ports.telnet!, 'erin', PW, tmp, /press a key/);
    callers.push(erin);
    erin.send(' ');
    await erin.waitScreen(/Command:/);
    erin.send('m');
    await erin.waitScreen(/Area: General .* 3 new/);
    // the new-scan shows the long message and frank's reply first, then this post
    erin.send('n');
    await erin.waitScreen(/More/);
    erin.send('q');
    await erin.waitScreen(/\[N\]ext/);
    erin.send('n');
    await erin.waitScreen(/My answer[\s\S]*\[N\]ext/);
    erin.send('n');
    await erin.waitScreen(/Subject: Wrapped edit[\s\S]*^XX aaaa .* nnnn oooo\s*\nZZ pppp qqqq rrrr ssss tttt/m);
    erin.hangup();
  });

  it('a window narrowed to 40 columns while writing re-wraps the paragraph there, shows save and help, and the post differs only in soft breaks', async () => {
    const frank = await inetutils('frank');
    await writePost(frank, 'Resized');
    const words = 'alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu';
    frank.send(`${words}\rlast line`);
    await frank.waitScreen(/^alpha .* lima mike\s*\nnovember .* xray\s*\nyankee zulu\s*\nlast line/m);
    // back to the 'k' of 'kilo', where the cursor must stay
    frank.send(`${'\x1b[A'.repeat(3)}\x1b[H${'\x1b[C'.repeat(words.indexOf('kilo'))}`);
    frank.resize(40, 25);
    const narrow = await frank.waitScreen(/^alpha .* foxtrot\s*\ngolf hotel india juliett kilo lima mike\s*\nnovember .* sierra\s*\ntango .* xray\s*\nyankee zulu\s*\nlast line/m);
    for (const row of narrow.split('\n')) assert.ok(row.trimEnd().length <= 39, `row wider than 39 columns at 40: ${JSON.stringify(row)}`);
    assert.match(narrow, /\^Z save {2}\^K help/);
    // typing goes in at the same character, and re-wraps at 40
    frank.send('X');
    await frank.waitScreen(/^golf hotel india juliett Xkilo lima\s*\nmike november /m);
    frank.send('\x7f');
    await frank.waitScreen(/^golf hotel india juliett kilo lima mike\s*\nnovember /m);
    // the help screen, legible at 40 columns; any key goes back to the text
    frank.send('\x0b');
    await frank.waitScreen(/^Ctrl-Z {9}save the message\s*$[\s\S]*^Ctrl-Y {9}delete the line\s*$/m);
    frank.send(' ');
    await frank.waitScreen(/^yankee zulu\s*\nlast line/m);
    frank.send(CTRL_Z);
    const posted = await frank.waitScreen(/Message #(\d+) posted in General/);
    frank.hangup();
    const id = Number(/Message #(\d+) posted/.exec(posted)![1]);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const m = await store.messages.get(id);
      assert.equal(m?.body, 'alpha bravo charlie delta echo foxtrot\ngolf hotel india juliett kilo lima mike\nnovember oscar papa quebec romeo sierra\ntango uniform victor whiskey xray\nyankee zulu\nlast line');
      // read with its soft breaks as the spaces they were, it is the text typed
      const [paragraph, last] = m!.body.split('\nyankee zulu\n');
      assert.equal(`${paragraph!.replace(/\n/g, ' ')} yankee zulu`, words);
      assert.equal(last, 'last line');
    } finally {
      await store.close();
    }
  });
});
