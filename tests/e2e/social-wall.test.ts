// The oneliners wall and last callers, end to end over telnet: a line left on the wall
// is seen by the next caller, the sysop can delete it, and a caller who hung up is on
// the last callers list with protocol, time and duration.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';
import { SshCaller, TelnetCaller, within } from './social-callers.js';

const PW = 'correct-horse-7';

describe('the oneliners wall and last callers', () => {
  let board: Carrier;

  before(async () => {
    board = await startCarrier({ ssh: true, logLevel: 'info' });
    for (const h of ['alice', 'bob', 'carol']) await board.addUser(h, PW);
    await board.addUser('Zero Cool', PW, true);
  });
  after(async () => {
    await board.stop();
  });

  it('a oneliner is added, cleaned and capped, and the next caller sees it on the wall', async () => {
    const alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW);
    alice.send('o');
    await alice.waitScreen(/Oneliners - what callers left on the wall/);
    await alice.waitScreen(/The wall is empty/);
    alice.send('a');
    await alice.waitRaw('Your line:');
    alice.send(`hack the planet |04red? ${'x'.repeat(80)}\r`);
    await alice.waitScreen(/1 alice +hack the planet \|04red\? x+/);
    alice.send('q');
    await alice.waitRaw('Command:', 10_000, alice.raw().lastIndexOf('Your line:'));
    alice.hangup();

    const bob = await SshCaller.login(board.ports.ssh!, 'bob', PW);
    bob.send('o');
    const screen = await bob.waitScreen(/alice +hack the planet/);
    const line = screen.split('\n').find((l) => l.includes('hack the planet'))!;
    assert.equal(line.slice(line.indexOf('hack')).length, 60, 'the line is capped at 60 characters');
    bob.send('d');
    assert.doesNotMatch(await bob.screen(), /Delete which number/, 'only the sysop deletes');
    bob.send('q');
    bob.hangup();
  });

  it('the sysop deletes a oneliner by its number', async () => {
    const sysop = await TelnetCaller.login(board.ports.telnet!, 'Zero Cool', PW);
    sysop.send('o');
    await sysop.waitScreen(/1 alice +hack the planet/);
    // A number the wall does not show says so, and deletes nothing (fails without: the wall came back silently).
    sysop.send('d');
    await sysop.waitRaw('Delete which number?');
    sysop.send('9\r');
    await sysop.waitScreen(/No line has the number 9\./);
    sysop.send(' ');
    await sysop.waitScreen(/1 alice +hack the planet[\s\S]*uit:/);
    sysop.send('d');
    await sysop.waitRaw('Delete which number?', 10_000, sysop.raw().lastIndexOf('No line has'));
    sysop.send('1\r');
    await sysop.waitScreen(/The wall is empty/);
    sysop.hangup();
  });

  it('a oneliner of wide characters keeps to one row of the wall', async () => {
    // 40 CJK characters are 80 columns: cut by code units, the row ran past 80 and wrapped.
    const wide = '日本語のテキスト'.repeat(5);
    const bob = await TelnetCaller.login(board.ports.telnet!, 'bob', PW);
    try {
      bob.send('o');
      await bob.waitRaw('uit:');
      bob.send('a');
      await bob.waitRaw('Your line:');
      bob.send(`${wide}\r`);
      const screen = await bob.waitScreen(/\d bob +日本語/);
      const rows = screen.split('\n');
      const at = rows.findIndex((l) => /\d bob +日本語/.test(l));
      assert.doesNotMatch(rows[at + 1] ?? '', /^[^\x00-\x7f]/, `the line wrapped onto the next row:\n${screen}`);
    } finally {
      bob.hangup();
      // the next test lists who is on now: bob's call is over first
      await board.waitForLog((l) => l['event'] === 'session.end' && l['user'] === 'bob' && l['conn'] !== undefined && String(l['conn']).startsWith('telnet'));
    }
  });

  it('a caller who hung up is on the last callers list with protocol, time and duration', async () => {
    const carol = await TelnetCaller.login(board.ports.telnet!, 'carol', PW);
    carol.send('g');
    await carol.waitRaw('Goodbye');
    await board.waitForLog((l) => l['event'] === 'session.end' && l['user'] === 'carol');
    const bob = await SshCaller.login(board.ports.ssh!, 'bob', PW);
    bob.send('l');
    const screen = await bob.waitScreen(/Last callers[\s\S]*carol/);
    const row = screen.split('\n').find((l) => l.startsWith('carol'))!;
    assert.match(row, /^carol +telnet +\d{4}-\d\d-\d\d \d\d:\d\d +\d+m$/);
    const rows = screen.split('\n').filter((l) => /^(alice|bob|carol|Zero Cool) /.test(l));
    assert.match(rows[0] ?? '', /^bob +ssh .* online$/, 'who is on now comes first');
    const ended = rows.filter((l) => !/ online$/.test(l)).map((l) => l.split(/ {2,}/)[0]);
    assert.equal(ended[0], 'carol', 'then the newest call');
    bob.hangup();
  });

  it('last callers with more rows than the screen pages them, the title and the header kept in view', async () => {
    // The earlier tests' six calls, 14 more and three callers on: 23 rows under the title's three, and the pause.
    // Seven callers at once, each from its own address (maxPerIp) and under MaxStartups' 10,
    // make two calls each (one after another, when each login also waited out the telnet
    // negotiation deadline, they took 24 s).
    await Promise.all(
      Array.from({ length: 7 }, async (_, i) => {
        for (let call = 0; call < 2; call++) {
          const c = await TelnetCaller.login(board.ports.telnet!, 'carol', PW, `127.0.0.${i + 2}`);
          c.send('g');
          await within(() => c.closed, 10_000, 'carol was never hung up after G');
        }
      }),
    );
    // alice first (the list puts who is on now oldest first), then the other two at once.
    const alice = await TelnetCaller.login(board.ports.telnet!, 'alice', PW);
    const [carol, bob] = await Promise.all([TelnetCaller.login(board.ports.telnet!, 'carol', PW), TelnetCaller.login(board.ports.telnet!, 'bob', PW)]);
    try {
      bob.send('l');
      let screen = await bob.waitScreen(/More \(\d+%\)/);
      const rows = screen.split('\n');
      assert.equal(rows[0]?.trim(), 'Last callers', `the title scrolled away:\n${screen}`);
      assert.match(rows[1] ?? '', /^Handle +Via +When +Time +From/);
      assert.match(rows[3] ?? '', /^alice +telnet .* online/, 'who is on now first');
      bob.send(' ');
      screen = await bob.waitScreen(/press a key/);
      bob.send(' ');
      await bob.waitRaw('Command:', 10_000, bob.raw().lastIndexOf('press a key'));
    } finally {
      for (const c of [alice, carol, bob]) c.hangup();
    }
  });
});

describe('the oneliners wall on a short window', () => {
  let board: Carrier;
  const tmp = scratchDir('carrier-wall-');

  before(async () => {
    // One caller fills the wall: their share and chat's line rate raised for this board.
    board = await startCarrier({ logLevel: 'info', yaml: 'oneliners: { keep: 1000, perCaller: 20 }\nchat: { floodRate: 100, floodBurst: 100 }\n' });
    await board.addUser('dora', PW);
  });
  after(async () => {
    await board.stop();
  });

  it('pages the wall with its title in view on a 12-row window, and the prompt after the last page (inetutils telnet in tmux)', async () => {
    const dora = await TmuxCaller.telnet(board.ports.telnet!, 'dora', PW, tmp);
    try {
      dora.send('o');
      await dora.waitScreen(/uit:/);
      let screen = '';
      for (let i = 1; i <= 14; i++) {
        dora.send('a');
        await dora.waitScreen(/Your line:/);
        dora.send(`line number ${String(i).padStart(2, '0')}\r`);
        screen = await dora.waitScreen(new RegExp(`${i} dora +line number ${String(i).padStart(2, '0')}[\\s\\S]*uit: *$`, 'm'));
      }
      // A wall that fits is not paged: the title, all 14 lines and the prompt on the 25 rows.
      assert.match(screen, /^Oneliners - what callers left on the wall[\s\S]*^ 1 dora +line number 01/m);
      assert.doesNotMatch(screen, /More/);
      // The window shrinks while the wall is up; the client tells the board before the 'q' typed after it.
      dora.resize(80, 12);
      dora.send('q');
      await dora.waitScreen(/Command:/);
      dora.send('o');
      // Fails without: the 14 lines and the prompt scrolled the title off the 12 rows.
      screen = await dora.waitScreen(/More/);
      const rows = screen.split('\n');
      assert.match(rows[0]!, /Oneliners - what callers left on the wall/, `the title is not on the first row:\n${screen}`);
      assert.match(screen, /^ 1 dora +line number 01/m);
      assert.doesNotMatch(screen, /line number 14/, 'the first page holds what fits under the title');
      dora.send(' ');
      screen = await dora.waitScreen(/line number 14[\s\S]*uit:/);
      assert.doesNotMatch(screen, /More/);
      dora.send('q');
      await dora.waitScreen(/Command:/);
    } finally {
      dora.hangup();
    }
  });
});
