// The sysop's console: `carrier sysop` in tmux against a running board with two telnet
// callers (lists both, spy shows what a caller types, break-in chat reaches the caller,
// kick hangs up), and the same console drawn for a sysop over ssh from main menu `!`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { SshCaller, TelnetCaller } from '../e2e/social-callers.js';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { TmuxConsole } from './tmux-console.js';

const PW = 'correct-horse-7';

// capture-pane ends its last row with a newline too.
const rowsOf = (screen: string): string[] => screen.replace(/\n$/, '').split('\n').map((r) => r.trimEnd());

/**
 * The spy (bare, at the console's top-left) shows every row of the caller's `rows`-row
 * screen, and the caller's screen is what it was before the spy (`before`): drawn again, the same.
 */
async function spyShowsScreen(seat: TmuxConsole, caller: TmuxCaller, before: string[], rows: number): Promise<void> {
  let want: string[] = [];
  await eventually(
    async () => {
      want = rowsOf(await caller.screen());
      const now = rowsOf(seat.screen());
      return want.length === rows && want.every((r, i) => now[i] === r);
    },
    () => `the spy to show ${caller.name}'s screen:\n${want.join('\n')}\nconsole:\n${seat.screen()}`,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  // Who's online's idle column counts on every few seconds: the rest must not have changed.
  // (with the spaces after it: '9s' and '10s' pad the column to the same width differently)
  const steady = (rows: string[]): string[] => rows.map((r) => r.replace(/\b\d+(?:s|m|h\d\dm)\b\s*/g, 'N '));
  assert.deepEqual(steady(want), steady(before));
}

/** A sysop over ssh opens the console from main menu `!`, then the user editor at their own row. */
async function ownRowInUserEditor(sysop: SshCaller): Promise<void> {
  await sysop.waitScreen(/Sysop console/);
  sysop.send('!');
  await sysop.waitScreen(/sysop console[\s\S]*alice +telnet/, 20_000);
  sysop.send('u');
  await sysop.waitScreen(/all users/, 20_000);
  sysop.send('/');
  await sysop.waitScreen(/search handles:/, 20_000);
  sysop.send(`${sysop.name}\r`);
  await sysop.waitScreen(new RegExp(`matching "${sysop.name}"[\\s\\S]*handle +${sysop.name}`), 20_000);
}

describe('sysop console', () => {
  let board: Carrier;
  let alice: TelnetCaller;
  let bob: TelnetCaller;
  let tmux: TmuxConsole | undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-sysop-'));

  before(async () => {
    board = await startCarrier({ logLevel: 'info', ssh: true });
    await board.addUser('alice', PW);
    await board.addUser('bob', PW);
    await board.addUser('Dr Watson', PW, true);
    await board.addUser('Mycroft', PW, true);
    alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW, '127.0.0.2');
    bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW, '127.0.0.3');
  });
  after(async () => {
    tmux?.kill();
    alice?.hangup();
    bob?.hangup();
    await board?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('in tmux: lists both callers, spies, breaks in to chat and kicks', { timeout: 120_000 }, async () => {
    tmux = new TmuxConsole(tmp, board);
    const screen = await tmux.wait(/alice +telnet[\s\S]*bob +telnet|bob +telnet[\s\S]*alice +telnet/);
    assert.match(screen, /127\.0\.0\.2/);
    // The column headings (the panel's label) sit over the rows' columns.
    const heading = screen.split('\n').find((r) => /node +handle +proto/.test(r)) ?? '';
    const aliceRow = screen.split('\n').find((r) => / alice +telnet/.test(r)) ?? '';
    assert.deepEqual(
      ['handle', 'proto', 'from'].map((h) => heading.indexOf(h)),
      ['alice', 'telnet', '127.0.0.2'].map((v) => aliceRow.indexOf(v)),
      `${heading}\n${aliceRow}`,
    );
    await tmux.wait(/today: calls \d+/);
    // Select bob (the list is by node: alice 1, bob 2) and spy.
    const rows = screen.split('\n');
    const aliceFirst = rows.findIndex((r) => / alice +telnet/.test(r)) < rows.findIndex((r) => / bob +telnet/.test(r));
    if (aliceFirst) tmux.keys('Down');
    // The footer shows capitals: a shifted hotkey works as well as a lower-case one.
    tmux.keys('S');
    await tmux.wait(/spying on node \d+ bob 80x25/);
    bob.send('w');
    await tmux.wait(/Who's online/i);
    tmux.keys('Escape');
    await tmux.wait(/ S spy  C chat/);
    bob.send(' ');
    // Bob is back at the menu before the sysop breaks in (the menu's redraw would clear the line).
    await bob.waitScreen(/Command:/, 20_000);
    // Break-in chat: the line typed in the console reaches bob.
    tmux.keys('c');
    await tmux.wait(/chat with node \d+ bob/);
    await bob.waitScreen(/Sysop is breaking in/, 20_000);
    // The say box reads keys once the board has answered the chat's open, which may be after
    // bob was told: typed before it, the line went to the node list.
    await tmux.wait(/say \(Enter sends, Esc ends\)/);
    tmux.type('hello from the console');
    tmux.keys('Enter');
    await bob.waitScreen(/hello from the console/);
    // Two-way: bob answers on his chat line, and the console's view of his screen shows it.
    bob.send('hi sysop, bob here\r');
    await tmux.wait(/You: hi sysop, bob here/);
    tmux.keys('Escape');
    await tmux.wait(/ S spy  C chat/);
    // Kick bob.
    tmux.keys('k');
    await tmux.wait(/kick node \d+ \(bob\)/);
    tmux.type('yes');
    tmux.keys('Enter');
    await eventually(() => bob.closed, "the console's kick to hang up bob", { timeoutMs: 20_000 });
    await tmux.wait(/kicked node/);
    tmux.keys('q');
    await eventually(() => !/ S spy /.test(tmux!.screen()), 'the console to quit', { timeoutMs: 15_000, intervalMs: 50 });
  });

  it('over ssh: a sysop opens the same console from main menu `!`', { timeout: 90_000 }, async () => {
    const root = await SshCaller.login(board.ports.ssh!, 'Dr Watson', PW);
    try {
      await root.waitScreen(/Sysop console/);
      root.send('!');
      const s = await root.waitScreen(/sysop console[\s\S]*alice +telnet/, 20_000);
      assert.match(s, /Dr Watson +ssh/);
      root.send('q');
      await root.waitScreen(/Command:/, 20_000);
    } finally {
      root.hangup();
    }
    // An ordinary caller has no `!`. The menu answers the key after it (z, no command) only
    // once `!` is dealt with: its answer, not a fixed wait, says `!` has had its effect.
    const mark = alice.raw().length;
    alice.send('!z');
    const after = await alice.waitRaw(/Z\s+Unknown command/, 20_000, mark);
    assert.doesNotMatch(after, /sysop console/);
  });

  it("over ssh: the console will not delete, lock or demote the sysop's own account", { timeout: 90_000 }, async () => {
    const root = await SshCaller.login(board.ports.ssh!, 'Dr Watson', PW);
    try {
      await ownRowInUserEditor(root);
      // The board would refuse (sysop verbs.ts, ownAccountRefusal): the console says so at
      // once instead of asking to type yes first (fails without: the confirm box, no refusal).
      root.send('d');
      let screen = await root.waitScreen(/you cannot delete your own account/, 20_000);
      assert.doesNotMatch(screen, /type yes|delete Dr Watson\?/);
      root.send('x');
      screen = await root.waitScreen(/you cannot lock your own account/, 20_000);
      assert.doesNotMatch(screen, /type yes|lock Dr Watson\?/);
      // Another account is still asked about (and Esc in the box cancels).
      root.send('/');
      await root.waitScreen(/search handles:/, 20_000);
      root.send('\x7f'.repeat(9) + 'alice\r');
      await root.waitScreen(/matching "alice"[\s\S]*handle +alice/, 20_000);
      root.send('d');
      await root.waitScreen(/delete alice\? [\s\S]*type yes/, 20_000);
      root.send('\x1b');
      await eventually(async () => !/type yes/.test(await root.screen()), () => 'Esc closes the confirm box', { timeoutMs: 20_000 });
      root.send('/');
      await root.waitScreen(/search handles:/, 20_000);
      root.send('\x7f'.repeat(5) + 'Dr Watson\r');
      await root.waitScreen(/matching "Dr Watson"[\s\S]*handle +Dr Watson/, 20_000);
      root.send('v');
      await root.waitScreen(/level for Dr Watson/, 20_000);
      root.send('\x7f\x7f20\r');
      await root.waitScreen(/you cannot lower the level of your own account/, 20_000);
      root.send('\x1b');
      await root.waitScreen(/node +handle [\s\S]*alice +telnet/, 20_000);
      root.send('q');
      await root.waitScreen(/Command:/, 20_000);
    } finally {
      root.hangup();
    }
    const shown = await board.cli(['user', 'show', 'Dr Watson']);
    assert.match(shown.stdout, /^level: +90$/m);
    assert.match(shown.stdout, /^locked: +no$/m);
  });

  it("over ssh: V on the sysop's own account says at once it cannot go lower; a raise works, and at 100 there is nothing to ask", { timeout: 90_000 }, async () => {
    await board.addUser('Irene', PW, true);
    const irene = await SshCaller.login(board.ports.ssh!, 'Irene', PW);
    try {
      await ownRowInUserEditor(irene);
      // The question itself gives the range the board allows (fails without: "(0-100)").
      irene.send('v');
      await irene.waitScreen(/level for Irene \(90-100, not lower: yours\)/, 20_000);
      irene.send('\x7f\x7f100\r');
      await irene.waitScreen(/Irene is now level 100/, 20_000);
      // Her session read the account again; she made the change herself, so no notice tells her
      // of it over the console's status (fails without: 'The sysop changed your access level to 100.').
      await board.waitForLog((l) => l['event'] === 'session.account_changed' && l['user'] === 'Irene' && l['to'] === 100, 20_000);
      assert.doesNotMatch(await irene.screen(), /changed your access level/);
      // At the top, V has nothing to ask: it says what it cannot do (fails without: the question).
      irene.send('v');
      const screen = await irene.waitScreen(/you cannot lower the level of your own account/, 20_000);
      assert.doesNotMatch(screen, /level for Irene/);
      irene.send('\x1b');
      await irene.waitScreen(/node +handle [\s\S]*alice +telnet/, 20_000);
      irene.send('q');
      await irene.waitScreen(/Command:/, 20_000);
    } finally {
      irene.hangup();
    }
    const shown = await board.cli(['user', 'show', 'Irene']);
    assert.match(shown.stdout, /^level: +100$/m);
  });

  it('a sysop demoted while the console is open loses it within seconds, and the `!` with it', { timeout: 90_000 }, async () => {
    const mycroft = await SshCaller.login(board.ports.ssh!, 'Mycroft', PW);
    try {
      await mycroft.waitScreen(/Sysop console/);
      mycroft.send('!');
      await mycroft.waitScreen(/sysop console[\s\S]*alice +telnet/, 20_000);
      const demote = await board.cli(['user', 'set-level', 'Mycroft', '20']);
      assert.equal(demote.code, 0, demote.stderr);
      await mycroft.waitScreen(/no longer a sysop: the console is closed/, 20_000);
      mycroft.send(' ');
      await mycroft.waitScreen(/Command:/, 20_000);
      // (the menu's answer to z comes once `!` is dealt with: an open console would take the z)
      const mark = mycroft.raw().length;
      mycroft.send('!z');
      const after = await mycroft.waitRaw(/Z\s+Unknown command/, 20_000, mark);
      assert.doesNotMatch(after, /alice +telnet/, 'the console does not open again');
    } finally {
      mycroft.hangup();
    }
  });

  it("in tmux: the user editor's level says why it refused an answer, and what it did; L sets the location", { timeout: 90_000 }, async () => {
    const seat = new TmuxConsole(tmp, board);
    try {
      await seat.wait(/today: calls \d+/);
      seat.keys('u');
      await seat.wait(/all users/);
      seat.keys('/');
      await seat.wait(/search handles:/);
      seat.type('bob');
      seat.keys('Enter');
      await seat.wait(/matching "bob"[\s\S]*handle +bob/);
      seat.keys('v');
      await seat.wait(/level for bob \(0-100\)/);
      seat.keys('BSpace', 'BSpace');
      seat.type('abc');
      seat.keys('Enter');
      await seat.wait(/level must be a whole number from 0 to 100/);
      seat.keys('v');
      await seat.wait(/level for bob \(0-100\)/);
      seat.keys('BSpace', 'BSpace');
      seat.type('30');
      seat.keys('Enter');
      await seat.wait(/bob is now level 30/);
      // L: the location a caller typed (shown in last callers), set or cleared by the sysop.
      seat.keys('l');
      await seat.wait(/location of bob \(empty clears it\)/);
      seat.type('Lima, Peru');
      seat.keys('Enter');
      await seat.wait(/bob calls from Lima, Peru/);
      await seat.wait(/location +Lima, Peru/);
    } finally {
      seat.kill();
    }
    const shown = await board.cli(['user', 'show', 'bob']);
    assert.match(shown.stdout, /^level: +30$/m);
    assert.match(shown.stdout, /^location: +Lima, Peru$/m);
  });

  it("in tmux: a sysop whose window is the caller's size (80x25) sees the caller's whole screen in the spy", { timeout: 90_000 }, async () => {
    const seat = new TmuxConsole(tmp, board);
    try {
      await seat.spyAt80x25('alice');
      // Alice opens who's online after the spy came: a whole screen drawn while it watches.
      alice.send('w');
      await alice.waitScreen(/Who's online[\s\S]*Space back/);
      // Every row of alice's screen, her right-most column and bottom row too (fails without:
      // the frame took a column and a row on each side, 78x23 of her 80x25 were shown).
      const rowsOf = (screen: string): string[] => screen.split('\n').map((r) => r.trimEnd());
      let want: string[] = [];
      const got = await eventually(
        async () => {
          want = rowsOf(await alice.screen());
          const now = rowsOf(seat.screen());
          return want.every((r, i) => now[i] === r) && now;
        },
        () => `the spy to show alice's whole screen:\n${want.join('\n')}\nconsole:\n${seat.screen()}`,
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      assert.equal(want.length, 25);
      assert.match(got[24]!, /Space back/);
      assert.match(got[0]!, /╗$/);
      // A window roomy enough gets the frame and its label back, with the whole screen inside it.
      seat.resize(90, 30);
      await seat.wait(/spying on node \d+ alice 80x25/);
      await eventually(
        async () => {
          want = rowsOf(await alice.screen());
          const inner = seat.screen().split('\n').slice(1, 1 + want.length).map((r) => r.slice(1, 81).trimEnd());
          return want.every((r, i) => inner[i] === r);
        },
        () => `the framed spy to show alice's whole screen inside its frame:\n${seat.screen()}`,
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      seat.keys('Escape');
      await seat.wait(/ S spy/);
      alice.send(' ');
      await alice.waitScreen(/Command:/);
    } finally {
      seat.kill();
    }
  });

  it("in tmux: the spy starts with the screen a real telnet caller sits at (the main menu, who's online), without a key from them", { timeout: 120_000 }, async () => {
    await board.addUser('carol', PW);
    const carol = await TmuxCaller.telnet(board.ports.telnet!, 'carol', PW, tmp);
    /** An 80x25 console spying on carol: bare, her 25 rows on its 25. */
    const spyOnCarol = async (): Promise<TmuxConsole> => {
      const seat = new TmuxConsole(tmp, board);
      await seat.spyAt80x25('carol');
      return seat;
    };
    const spyShowsHerScreen = (seat: TmuxConsole, before: string[]): Promise<void> => spyShowsScreen(seat, carol, before, 25);
    try {
      // At the main menu, waiting for a key: fails without (the spy stayed blank until she pressed one).
      const atMenu = rowsOf(await carol.waitScreen(/Who's online[\s\S]*Command:/));
      let seat = await spyOnCarol();
      try {
        await spyShowsHerScreen(seat, atMenu);
        assert.ok(atMenu.some((r) => /\[carol\] Command:/.test(r)));
      } finally {
        seat.kill();
      }
      // In who's online (a full-screen view), opened before the spy came.
      carol.send('w');
      const inWho = rowsOf(await carol.waitScreen(/Who's online[\s\S]*carol[\s\S]*Space back/));
      seat = await spyOnCarol();
      try {
        await spyShowsHerScreen(seat, inWho);
      } finally {
        seat.kill();
      }
      carol.send(' ');
      await carol.waitScreen(/Command:/);
    } finally {
      carol.hangup();
    }
  });
  it("in tmux: the spy starts with the screen of a caller at a lightbar menu, and at last callers' more-prompt, without a key from them", { timeout: 120_000 }, async () => {
    await board.addUser('dora', PW);
    // Finished calls, so last callers has more than a 10-row window's first page.
    for (let i = 0; i < 3; i++) (await TelnetCaller.login(board.ports.telnet!, 'bob', PW, '127.0.0.4')).hangup();
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    try {
      dora.send('u');
      await dora.waitScreen(/Change which\?/);
      dora.send('m');
      await dora.waitScreen(/Menus\s+lightbar/);
      dora.send('q');
      const atBar = rowsOf(await dora.waitScreen(/Who's online[\s\S]*Goodbye/));
      assert.ok(!atBar.some((r) => /Command:/.test(r)), 'the lightbar menu, not the hotkey prompt');
      // Fails without: the lightbar registered no redraw, the spy said 'shown from the next change' and stayed blank.
      let seat = new TmuxConsole(tmp, board);
      try {
        await seat.spyAt80x25('dora');
        await spyShowsScreen(seat, dora, atBar, 25);
      } finally {
        seat.kill();
      }
      // Last callers on a 10-row window stops at its more-prompt after four rows under its title.
      dora.resize(80, 10);
      await dora.waitScreen(/Who's online/);
      dora.send('l');
      const atMore = rowsOf(await dora.waitScreen(/Last callers[\s\S]*More/));
      seat = new TmuxConsole(tmp, board);
      try {
        // The caller's 80x10 fits the 80x25 console bare, at its top-left, the label under it.
        await seat.spyAt80x25('dora', /spying on node \d+ dora 80x10/);
        await spyShowsScreen(seat, dora, atMore, 10);
        assert.ok(atMore.some((r) => /^Handle +Via/.test(r)), 'the title rows are in the spy too');
      } finally {
        seat.kill();
      }
      dora.send('q');
      await dora.waitScreen(/Who's online/);
    } finally {
      dora.hangup();
    }
  });
});

