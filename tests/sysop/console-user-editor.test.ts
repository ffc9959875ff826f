// The sysop console's user editor against a caller who is on: `carrier sysop` in tmux
// changes vera's level, flags and location while vera (inetutils telnet in tmux) sits at
// the main menu, and vera is told each change once, as the CLI's changes are told. A
// sysop editing their own account from the console on their own screen (main menu `!`)
// is not told of what they did themselves.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { SshCaller } from '../e2e/social-callers.js';
import { TmuxCaller } from '../e2e/messages-callers.js';
import { TmuxConsole } from './tmux-console.js';

const PW = 'correct-horse-7';

describe("the console's user editor reaches the caller who is on", { skip: existsSync('/usr/bin/tmux') ? false : 'needs tmux' }, () => {
  let board: Carrier;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-console-users-'));
  const done: (() => void)[] = [];

  before(async () => {
    board = await startCarrier({ logLevel: 'info', ssh: true });
    await board.addUser('vera', PW);
    await board.addUser('Lestrade', PW, true);
  });
  after(async () => {
    for (const end of done) end();
    await board?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('V, F and L on a caller at the main menu: each change told once, a cleared one as cleared', { timeout: 150_000 }, async () => {
    const vera = await TmuxCaller.telnet(board.ports.telnet!, 'vera', PW, tmp);
    done.push(() => vera.hangup());
    const out = join(tmp, 'vera.out');
    vera.logOutput(out);
    const seat = new TmuxConsole(tmp, board);
    done.push(() => seat.kill());
    await seat.wait(/vera +telnet/);
    await seat.userEditorAt('vera');

    seat.keys('v');
    await seat.wait(/level for vera \(0-100\)/);
    seat.keys('BSpace', 'BSpace');
    seat.type('30');
    seat.keys('Enter');
    await seat.wait(/vera is now level 30/);
    await vera.waitScreen(/The sysop changed your access level to 30\./);

    // Fails without: the flags changed in the store and the caller's session, told nothing.
    seat.keys('f');
    await seat.wait(/flags for vera \(letters A-Z\)/);
    seat.type('ba');
    seat.keys('Enter');
    await seat.wait(/flags +AB/);
    await vera.waitScreen(/The sysop changed your flags to AB\./);
    // The same flags again change nothing: nothing to tell.
    seat.keys('f');
    await seat.wait(/flags for vera \(letters A-Z\)/);
    seat.keys('Enter');
    await eventually(
      () => board.logs.filter((l) => l['event'] === 'session.account_changed' && l['user'] === 'vera').length >= 3,
      "vera's session to read the account again after the same flags",
      { timeoutMs: 20_000 },
    );
    seat.keys('f');
    await seat.wait(/flags for vera \(letters A-Z\)/);
    seat.keys('BSpace', 'BSpace', 'Enter');
    await vera.waitScreen(/The sysop cleared your flags\./);

    seat.keys('l');
    await seat.wait(/location of vera \(empty clears it\)/);
    seat.type('Oslo, Norway');
    seat.keys('Enter');
    await seat.wait(/vera calls from Oslo, Norway/);
    await vera.waitScreen(/The sysop changed your location to Oslo, Norway\./);

    const told = readFileSync(out, 'latin1');
    assert.equal(told.match(/changed your access level to 30/g)?.length, 1, 'the level told once');
    assert.equal(told.match(/changed your flags to AB/g)?.length, 1, 'the flags told once, not again when set to the same');
    assert.equal(told.match(/changed your location to Oslo/g)?.length, 1, 'the location told once');
  });

  it("a sysop's own flags and location, changed from the console on their own screen: not told to themselves", { timeout: 120_000 }, async () => {
    const root = await SshCaller.login(board.ports.ssh!, 'Lestrade', PW);
    done.push(() => root.hangup());
    await root.waitScreen(/Sysop console/);
    root.send('!');
    await root.waitScreen(/sysop console/, 20_000);
    root.send('u');
    await root.waitScreen(/all users/, 20_000);
    root.send('/');
    await root.waitScreen(/search handles:/, 20_000);
    root.send('Lestrade\r');
    await root.waitScreen(/matching "Lestrade"[\s\S]*handle +Lestrade/, 20_000);
    const seen = board.logs.length;
    root.send('f');
    await root.waitScreen(/flags for Lestrade/, 20_000);
    root.send('z\r');
    await root.waitScreen(/flags +Z/, 20_000);
    root.send('l');
    await root.waitScreen(/location of Lestrade/, 20_000);
    root.send('Baker Street\r');
    await root.waitScreen(/Lestrade calls from Baker Street/, 20_000);
    // Their session read the account again, twice; they made both changes, so no notice
    // covers the console's status (fails without the console's `by` on F and L).
    await eventually(
      () => board.logs.slice(seen).filter((l) => l['event'] === 'session.account_changed' && l['user'] === 'Lestrade').length >= 2,
      "Lestrade's session to read the account again after each change",
      { timeoutMs: 20_000 },
    );
    // A round trip on the caller's own connection: a notice written before it has arrived.
    root.send('/');
    await root.waitScreen(/search handles:/, 20_000);
    assert.doesNotMatch(root.raw(), /changed your (flags|location)/);
    root.send('\x1b');
  });
});
