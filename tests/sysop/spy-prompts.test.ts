// The sysop's spy shows what the caller's screen shows, where it could not before: a line
// prompt with what the caller has typed so far (the cursor where theirs is) and the screen it
// is asked under (a mail's and a post's To: and Subject:, the oneliners, Move to area, the
// line-mode editor, a menu script's own prompt), a long message
// the caller stopped reading with Q, and a door that never clears its screen and wrote more
// than the replay's bound; and the console's note on an 80x25 spy hides none of the caller's
// screen. Real clients: inetutils telnet in tmux; the spy's copy over the
// control channel, rendered by the console's own headless terminal (SpyScreen).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { RawControl } from './control-support.js';
import { callerAtMenu, OutputLog, rowsOf, sendMailOver, SpyStream, spyScreenShows, startEchoDoorBoard } from './spy-support.js';
import { TmuxConsole } from './tmux-console.js';

const PW = 'correct-horse-7';
const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';

async function nodeOf(control: RawControl, handle: string): Promise<number> {
  const who = (await control.ok('who')) as { node: number; handle: string }[];
  return who.find((n) => n.handle === handle)!.node;
}

/**
 * `caller` is typing at a line prompt: a spy that starts now gets the screen with the
 * prompt's row (`prompt`, the half-typed text included) and `above` on a row over it, the
 * cursor on that row at the caller's column; the caller's terminal is sent nothing for it.
 */
async function spyAtLinePrompt(control: RawControl, tmp: string, caller: TmuxCaller, name: string, prompt: RegExp, above: RegExp): Promise<void> {
  await caller.waitScreen(prompt);
  const out = new OutputLog(join(tmp, `${caller.name}-${name}.out`));
  caller.logOutput(out.file);
  const theirs = caller.cursor();
  // Fails without: a line prompt was not drawn again ("shown from the next change"), the spy stayed blank.
  const spy = await SpyStream.start(control, caller.name);
  const { lines, cursor } = await spyScreenShows(spy, prompt);
  const row = lines.findIndex((l) => prompt.test(l));
  assert.ok(row >= 0, `the spy's screen has the prompt ${prompt}:\n${lines.join('\n')}`);
  assert.ok(lines.slice(0, row).some((l) => above.test(l)), `the spy's screen has ${above} above the prompt:\n${lines.join('\n')}`);
  assert.deepEqual(cursor, { row, col: theirs.col }, `the spy's cursor is on the prompt's row at the caller's column (${theirs.col}):\n${lines.join('\n')}`);
  // The caller's next key is edited in place; nothing of the screen was drawn again for them.
  caller.send('Z');
  await caller.waitScreen(/Z/);
  await control.ok('unspy', { node: await nodeOf(control, caller.name) });
  assert.doesNotMatch(out.since(), /\x1b\[2J|which number|Area \(|Search for/, `${caller.name}'s terminal got ${JSON.stringify(out.since())}`);
}

/** A spy that starts now gets `caller`'s screen row for row (once a row of it matches `shows`). */
async function spySeesTheirScreen(control: RawControl, caller: TmuxCaller, shows: RegExp): Promise<void> {
  const theirs = rowsOf((await caller.screen()).split('\n'));
  const spy = await SpyStream.start(control, caller.name);
  const { lines } = await spyScreenShows(spy, shows);
  assert.deepEqual(rowsOf(lines), theirs);
  await control.ok('unspy', { node: await nodeOf(control, caller.name) });
}

describe('sysop spy: line prompts and a long message stopped with Q', () => {
  let board: Carrier;
  let control: RawControl;
  const tmp = scratchDir('carrier-spy-prompts');

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    for (const h of ['alice', 'bob', 'carol']) await board.addUser(h, PW);
    control = await RawControl.connect(board.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await board?.stop();
  });

  it("the mail inbox's Read which number?, the areas' jump and the search prompt: the spy gets the prompt, what was typed and the cursor", { timeout: 120_000 }, async () => {
    await sendMailOver(board, tmp, 'bob', PW, { to: 'alice', subject: 'Secret plans', body: 'Meet at the usual place.' });
    const alice = await callerAtMenu(board, tmp, 'alice', PW);
    try {
      alice.send('e');
      await alice.waitScreen(/Mail - 1 unread[\s\S]*uit:/);
      alice.send('r');
      await alice.waitScreen(/Read which number/);
      // Half typed, the cursor moved back into it: the spy's cursor must be there too.
      alice.send(`12${LEFT}`);
      await spyAtLinePrompt(control, tmp, alice, 'inbox', /Read which number\? \(Enter goes back\) 1Z?2/, /Secret plans/);
      alice.send('\x1b');
      await alice.waitScreen(/1Z2[\s\S]*Mail - 1 unread[\s\S]*uit: ?$/m);
      alice.send('q');
      await alice.waitScreen(/Command: ?$/m);
      alice.send('m');
      await alice.waitScreen(/Area: General[\s\S]*uit: ?$/m);
      alice.send('j');
      await alice.waitScreen(/Area \(number or name\)/);
      alice.send(`gen${LEFT}${LEFT}`);
      await spyAtLinePrompt(control, tmp, alice, 'jump', /Area \(number or name\): gZ?en/, /General/);
      alice.send('\x1b');
      await alice.waitScreen(/gZen[\s\S]*Area: General[\s\S]*uit: ?$/m);
      alice.send('s');
      await alice.waitScreen(/Search for:/);
      alice.send('plans');
      await spyAtLinePrompt(control, tmp, alice, 'search', /Search for: plansZ?/, /Area: General/);
    } finally {
      alice.hangup();
    }
  });

  it('a long message stopped with Q at its first More prompt: the spy gets the screen the caller has, not the message\'s last rows', { timeout: 90_000 }, async () => {
    const body = Array.from({ length: 80 }, (_, i) => `Body line ${i + 1} of the long one.`).join('\n');
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'bob', '--subject', 'A long one'], body);
    assert.equal(posted.code, 0, posted.stderr);
    const carol = await callerAtMenu(board, tmp, 'carol', PW);
    try {
      carol.send('m');
      await carol.waitScreen(/Area: General[\s\S]*uit:/);
      carol.send('r');
      await carol.waitScreen(/Body line 1 of[\s\S]*More/);
      carol.send('q');
      await carol.waitScreen(/ext[\s\S]*uit: ?$/m);
      const theirs = rowsOf((await carol.screen()).split('\n'));
      assert.ok(theirs.some((l) => l.includes('Body line 1 of')), theirs.join('\n'));
      // Fails without: the spy was drawn the message's last rows (Body line 80) from the top.
      const spy = await SpyStream.start(control, 'carol');
      await spy.waitFor(/uit: $/);
      const { lines } = await spy.screen();
      assert.deepEqual(rowsOf(lines), theirs);
      await control.ok('unspy', { node: await nodeOf(control, 'carol') });
    } finally {
      carol.hangup();
    }
  });
});

describe('sysop spy: the prompts of a mail, a post, the oneliners, the line-mode editor and a script', () => {
  let board: Carrier;
  let control: RawControl;
  const tmp = scratchDir('carrier-spy-asked');

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    for (const h of ['alice', 'bob', 'carol']) await board.addUser(h, PW);
    await board.addUser('dave', PW, true);
    control = await RawControl.connect(board.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await board?.stop();
  });

  it("a mail's and a post's To: and Subject:, a reply's under the message: the spy gets the screen above, the prompt, what was typed and the cursor", { timeout: 180_000 }, async () => {
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'carol', '--subject', 'Picnic on Sunday'], 'Bring bread.');
    assert.equal(posted.code, 0, posted.stderr);
    const bob = await callerAtMenu(board, tmp, 'bob', PW);
    try {
      bob.send('e');
      await bob.waitScreen(/Mail - \d+ unread[\s\S]*uit:/);
      bob.send('s');
      await bob.waitScreen(/To:/);
      bob.send(`alic${LEFT}`);
      // Fails without: the spy got the To: row alone, at the top of a blank screen.
      await spyAtLinePrompt(control, tmp, bob, 'mail-to', /^To: aliZ?c/m, /Mail - \d+ unread/);
      bob.send(`\x7f${RIGHT}e\r`);
      await bob.waitScreen(/Subject:/);
      bob.send('Lunch');
      await spyAtLinePrompt(control, tmp, bob, 'mail-subject', /^Subject: LunchZ?/m, /^To: alice/);
      bob.send('\x1b');
      await bob.waitScreen(/No subject: nothing sent[\s\S]*Mail - \d+ unread[\s\S]*uit: ?$/m);
      bob.send('q');
      await bob.waitScreen(/Command: ?$/m);
      bob.send('m');
      await bob.waitScreen(/Area: General[\s\S]*uit: ?$/m);
      bob.send('p');
      await bob.waitScreen(/To:/);
      bob.send('car');
      await spyAtLinePrompt(control, tmp, bob, 'post-to', /^To: carZ?/m, /Area: General/);
      bob.send('\r');
      await bob.waitScreen(/Subject:/);
      bob.send('Hi');
      await spyAtLinePrompt(control, tmp, bob, 'post-subject', /^Subject: HiZ?/m, /^To: carZ/);
      bob.send('\x1b');
      await bob.waitScreen(/No subject: nothing posted[\s\S]*Area: General[\s\S]*uit: ?$/m);
      bob.send('r');
      await bob.waitScreen(/Picnic on Sunday[\s\S]*Bring bread[\s\S]*uit: ?$/m);
      bob.send('r');
      await bob.waitScreen(/^To: carol/m);
      // A reply's To: comes with the sender filled in: the spy gets it under the message.
      await spyAtLinePrompt(control, tmp, bob, 'reply-to', /^To: carolZ?/m, /Bring bread/);
    } finally {
      bob.hangup();
    }
  });

  it("the oneliners' Your line: under the wall, and a sysop's Move to area: under the message", { timeout: 180_000 }, async () => {
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'bob', '--subject', 'Misplaced one'], 'This belongs elsewhere.');
    assert.equal(posted.code, 0, posted.stderr);
    const dave = await callerAtMenu(board, tmp, 'dave', PW);
    try {
      dave.send('o');
      await dave.waitScreen(/Oneliners[\s\S]*dd a line[\s\S]*uit: ?$/m);
      dave.send('a');
      await dave.waitScreen(/Your line:/);
      dave.send('First on the wall\r');
      await dave.waitScreen(/First on the wall[\s\S]*dd a line[\s\S]*uit: ?$/m);
      dave.send('a');
      await dave.waitScreen(/Your line:/);
      dave.send(`Secon${LEFT}`);
      // Fails without: the spy got the prompt's row alone, at the top of a blank screen.
      await spyAtLinePrompt(control, tmp, dave, 'oneliner', /^Your line: SecoZ?n/m, /First on the wall/);
      dave.send('\x1b');
      // Escape: nothing added, the wall drawn again.
      await dave.waitScreen(/^(?![\s\S]*Your line)[\s\S]*Oneliners[\s\S]*dd a line[\s\S]*uit: ?$/m);
      dave.send('q');
      await dave.waitScreen(/Command: ?$/m);
      dave.send('m');
      await dave.waitScreen(/Area: General[\s\S]*uit: ?$/m);
      // The area's first message (the other tests here post theirs too).
      dave.send('r');
      await dave.waitScreen(/Subject:[\s\S]*\[M\]ove[\s\S]*: ?$/m);
      dave.send('m');
      await dave.waitScreen(/Move to area:/);
      dave.send('gen');
      await spyAtLinePrompt(control, tmp, dave, 'move', /^Move to area: genZ?/m, /Subject:/);
    } finally {
      dave.hangup();
    }
  });

  it('the line-mode editor (TERM=dumb): the spy gets the heading and the lines typed so far over the half-typed one', { timeout: 120_000 }, async () => {
    const carol = await callerAtMenu(board, tmp, 'carol', PW, 'dumb');
    try {
      carol.send('e');
      await carol.waitScreen(/Mail - \d+ unread[\s\S]*uit:/);
      carol.send('s');
      await carol.waitScreen(/To:/);
      carol.send('alice\r');
      await carol.waitScreen(/Subject:/);
      carol.send('Dumb notes\r');
      await carol.waitScreen(/Line mode: \/s save/);
      carol.send('first line of it\r');
      await carol.waitScreen(/^ {2}2:\s*$/m);
      carol.send('second line\r');
      await carol.waitScreen(/^ {2}3:\s*$/m);
      carol.send('thir');
      // Fails without: the spy got the line being typed alone.
      await spyAtLinePrompt(control, tmp, carol, 'line-mode', /^ {2}3: thirZ?/m, /^ {2}1: first line of it/);
      const spied = await SpyStream.start(control, 'carol');
      const { lines } = await spyScreenShows(spied, /^ {2}3: thirZ/);
      assert.ok(lines.some((l) => /Mail to alice: Dumb notes/.test(l)), `the heading is on the spy's screen:\n${lines.join('\n')}`);
      await control.ok('unspy', { node: await nodeOf(control, 'carol') });
      carol.send('\r/s\r');
      await carol.waitScreen(/Mail sent to alice/);
    } finally {
      carol.hangup();
    }
  });

  it("a menu script's own line prompt (user settings, Where do you call from?): the spy gets what the script printed above it", { timeout: 90_000 }, async () => {
    const alice = await callerAtMenu(board, tmp, 'alice', PW);
    try {
      alice.send('u');
      await alice.waitScreen(/User settings[\s\S]*Change which\? ?$/m);
      alice.send('l');
      await alice.waitScreen(/Where do you call from/);
      alice.send(`Lisbo${LEFT}`);
      // Fails without: the spy got the prompt's row alone (the script gives no spyDraw).
      await spyAtLinePrompt(control, tmp, alice, 'settings', /Where do you call from.*\? LisbZ?o/, /User settings for alice/);
      await spySeesTheirScreen(control, alice, /LisbZo/);
    } finally {
      alice.hangup();
    }
  });

  it("a menu script's own key prompt (user settings, Choice:) and a pause: the spy gets the screen the caller has", { timeout: 90_000 }, async () => {
    const alice = await callerAtMenu(board, tmp, 'alice', PW);
    try {
      alice.send('u');
      await alice.waitScreen(/User settings[\s\S]*Change which\? ?$/m);
      alice.send('e');
      await alice.waitScreen(/As my terminal says[\s\S]*Choice: ?$/m);
      const out = new OutputLog(join(tmp, 'alice-choice.out'));
      alice.logOutput(out.file);
      // Fails without: nothing registered to draw it again, the spy stayed blank ("shown from the next change").
      await spySeesTheirScreen(control, alice, /Choice:/);
      assert.equal(out.since(), '', "the caller's terminal was sent nothing");
      alice.send('u');
      await alice.waitScreen(/should look like a box[\s\S]*press a key/);
      await spySeesTheirScreen(control, alice, /press a key/);
    } finally {
      alice.hangup();
    }
  });
});

describe("sysop spy: rows printed under a reader's prompt, and a mail's Mail <handle>? [Y/n]", () => {
  let board: Carrier;
  let control: RawControl;
  const tmp = scratchDir('carrier-spy-under');

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    for (const h of ['alice', 'bob']) await board.addUser(h, PW);
    control = await RawControl.connect(board.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await board?.stop();
  });

  it("the message reader's and the mail reader's ? legend: the spy gets the caller's screen, the legend under the prompt it was typed at", { timeout: 120_000 }, async () => {
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'bob', '--subject', 'Legend here'], 'A short one.');
    assert.equal(posted.code, 0, posted.stderr);
    await sendMailOver(board, tmp, 'bob', PW, { to: 'alice', subject: 'Mail with a legend', body: 'Short mail.' });
    const alice = await callerAtMenu(board, tmp, 'alice', PW);
    try {
      alice.send('m');
      await alice.waitScreen(/Area: General[\s\S]*uit: ?$/m);
      alice.send('r');
      await alice.waitScreen(/A short one\.[\s\S]*uit: ?$/m);
      alice.send('?');
      await alice.waitScreen(/^- {2}parent[\s\S]*uit: ?$/m);
      // Fails without: the message and the prompt, the legend and the prompt it was typed at missing.
      await spySeesTheirScreen(control, alice, /^- {2}parent/);
      alice.send('q');
      await alice.waitScreen(/Area: General[\s\S]*uit: ?$/m);
      alice.send('q');
      await alice.waitScreen(/Command: ?$/m);
      alice.send('e');
      await alice.waitScreen(/Mail - 1 unread[\s\S]*uit: ?$/m);
      alice.send('r');
      await alice.waitScreen(/Read which number/);
      alice.send('1\r');
      await alice.waitScreen(/Short mail\.[\s\S]*uit: ?$/m);
      alice.send('?');
      await alice.waitScreen(/^D {2}Delete[\s\S]*uit: ?$/m);
      await spySeesTheirScreen(control, alice, /^D {2}Delete/);
    } finally {
      alice.hangup();
    }
  });

  it('a mail to a handle that is none: the spy gets To: over the question, and the question over Subject:', { timeout: 120_000 }, async () => {
    const bob = await callerAtMenu(board, tmp, 'bob', PW);
    try {
      bob.send('e');
      await bob.waitScreen(/Mail - \d+ unread[\s\S]*uit:/);
      bob.send('s');
      await bob.waitScreen(/To:/);
      bob.send('ali\r');
      const question = /There is no user called ali\. Mail alice\? \[Y\/n\]/;
      await bob.waitScreen(question);
      const theirs = bob.cursor();
      const spy = await SpyStream.start(control, 'bob');
      const { lines, cursor } = await spyScreenShows(spy, question);
      const row = lines.findIndex((l) => question.test(l));
      // Fails without: the question alone, at the top of a blank screen.
      assert.match(lines[row - 1] ?? '', /^To: ali\s*$/, lines.join('\n'));
      assert.ok(lines.slice(0, row).some((l) => /Mail - \d+ unread/.test(l)), lines.join('\n'));
      assert.deepEqual(cursor, { row, col: theirs.col }, lines.join('\n'));
      await control.ok('unspy', { node: await nodeOf(control, 'bob') });
      bob.send('y');
      await bob.waitScreen(/Subject:/);
      bob.send('Lun');
      // Fails without: To: and Subject: with nothing between them.
      await spyAtLinePrompt(control, tmp, bob, 'asked-subject', /^Subject: LunZ?/m, question);
      const spied = await SpyStream.start(control, 'bob');
      const shown = await spyScreenShows(spied, /^Subject: LunZ/);
      const at = shown.lines.findIndex((l) => /^Subject: LunZ/.test(l));
      assert.match(shown.lines[at - 1] ?? '', question, shown.lines.join('\n'));
      assert.match(shown.lines[at - 2] ?? '', /^To: ali\s*$/, shown.lines.join('\n'));
      await control.ok('unspy', { node: await nodeOf(control, 'bob') });
    } finally {
      bob.hangup();
    }
  });
});

describe('sysop spy: a door that never clears its screen and wrote past the replay bound', () => {
  let board: Carrier;
  let control: RawControl;
  const tmp = scratchDir('carrier-spy-door-tail');

  before(async () => {
    // The echo door's flood: 100 KB of lines (past the replay's 64 KiB), no clear screen ever.
    board = await startEchoDoorBoard(tmp, ['--flood', '100000']);
    await board.addUser('dora', PW);
    control = await RawControl.connect(board.dataDir);
    control.keepAlive();
  });
  after(async () => {
    control?.close();
    await board?.stop();
  });

  it("the spy gets the caller's screen: the door's last lines", { timeout: 90_000 }, async () => {
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    try {
      dora.send('d');
      await dora.waitScreen(/Door \(Enter to go back\)/);
      dora.send('1');
      await dora.waitScreen(/flood done/);
      const theirs = rowsOf((await dora.screen()).split('\n'));
      // Fails without: past 64 KiB since the door's start (it never cleared) nothing was kept, and the spy stayed blank.
      const spy = await SpyStream.start(control, 'dora');
      await spy.waitFor(/flood done/);
      const { lines } = await spy.screen();
      assert.deepEqual(rowsOf(lines), theirs);
      // Bounded: a screenful of lines, not the 64 KiB held.
      assert.ok(Buffer.byteLength(spy.text()) < 4096, `the spy was sent ${Buffer.byteLength(spy.text())} bytes`);
    } finally {
      dora.hangup();
    }
  });
});

describe("sysop console: the note on a spy the window's size exactly hides nothing of the caller's screen", () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-spy-note');

  before(async () => {
    // The echo door's status mode: a clear screen, and a row on the bottom row to its right edge.
    board = await startEchoDoorBoard(tmp, ['--status']);
    await board.addUser('dora', PW);
  });
  after(async () => {
    await board?.stop();
  });

  it('the note goes on a row with blank cells for it, not over the bottom row; N hides it and shows it again', { timeout: 90_000 }, async () => {
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    try {
      dora.send('d');
      await dora.waitScreen(/Door \(Enter to go back\)/);
      dora.send('1');
      await dora.waitScreen(/={20,} STATUS-END/);
      const seat = new TmuxConsole(tmp, board);
      try {
        await seat.spyAt80x25('dora', /a door: shown as it draws/);
        // Fails without: the note sat over the bottom-right corner, over the door's STATUS-END.
        const shown = await seat.wait(/={20,} STATUS-END[\s\S]*$/);
        const rows = shown.split('\n');
        assert.match(rows[24] ?? '', /^={68} STATUS-END\s*$/, shown);
        assert.ok(rows.slice(0, 24).some((r) => /a door: shown as it draws\s*$/.test(r)), shown);
        seat.keys('n');
        await seat.wait(/^(?![\s\S]*a door: shown as it draws)[\s\S]*STATUS-END/);
        seat.keys('n');
        await seat.wait(/a door: shown as it draws/);
      } finally {
        seat.kill();
      }
    } finally {
      dora.hangup();
    }
  });
});
