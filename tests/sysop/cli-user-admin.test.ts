// `carrier user lock|delete` from the shell against a running board: the account's live
// sessions are hung up on every node (the control channel's `session.disconnect`, what
// `carrier kick` uses), as the console's lock does; the last sysop is never locked,
// demoted or deleted (exit 1, one line saying why). A message to a deleted account reads
// 'To: <handle> (deleted)'.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TelnetCaller } from '../e2e/social-callers.js';

const PW = 'correct-horse-7';

describe('carrier user lock|delete on a running board', () => {
  let board: Carrier;
  let dave: TelnetCaller;
  const callers: TelnetCaller[] = [];
  const login = async (handle: string, from: string): Promise<TelnetCaller> => {
    const c = await TelnetCaller.login(board.ports.telnet!, handle, PW, from);
    callers.push(c);
    return c;
  };

  before(async () => {
    board = await startCarrier({ logLevel: 'info' });
    await board.addUser('carol', PW);
    await board.addUser('dave', PW);
    await board.addUser('Lestrade', PW, true);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board?.stop();
  });

  it('lock hangs up every live session of the account, and its next login is refused', { timeout: 90_000 }, async () => {
    const first = await login('carol', '127.0.0.2');
    const second = await login('carol', '127.0.0.3');
    const bystander = (dave = await login('dave', '127.0.0.4'));
    const r = await board.cli(['user', 'lock', 'carol']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'carol is locked: logins are refused; hung up 2 live sessions');
    await eventually(() => first.closed && second.closed, 'both of carol\'s sessions to be hung up', { timeoutMs: 15_000 });
    for (const c of [first, second]) assert.match(c.raw(), /Disconnected: account locked/, 'the caller is told why');
    assert.equal(bystander.closed, false, 'nobody else is hung up');
    await assert.rejects(login('carol', '127.0.0.5'), /This account is locked/);
    const unlock = await board.cli(['user', 'unlock', 'carol']);
    assert.equal(unlock.code, 0, unlock.stderr);
    const again = await login('carol', '127.0.0.5');
    assert.equal(again.closed, false);
  });

  it('delete hangs up the account\'s live session too; a message to the account shows To: with its handle marked (deleted)', { timeout: 90_000 }, async () => {
    const posted = await board.cli(['msg', 'post', 'general', '--subject', 'for dave', '--to', 'dave'], 'the rent is due\n');
    assert.equal(posted.code, 0, posted.stderr);
    const r = await board.cli(['user', 'delete', 'dave']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deleted dave; 0 post\(s\) kept as "deleted user"; hung up 1 live session$/m);
    await eventually(() => dave.closed, 'dave to be hung up', { timeoutMs: 15_000 });
    assert.match(dave.raw(), /Disconnected: account deleted/);
    // Fails without: the header read 'To: dave', as if the account were still there.
    const reader = await login('carol', '127.0.0.6');
    reader.send('m');
    await reader.waitScreen(/Area: General/, 20_000);
    reader.send('n');
    await reader.waitScreen(/To: dave \(deleted\)[\s\S]*Subject: for dave/, 20_000);
    // The list's 12-column To: keeps the mark whole, shortened (it showed 'dave (delete').
    reader.send('q');
    await reader.waitScreen(/\[Q\]uit:\s*$/);
    reader.send('l');
    const list = await reader.waitScreen(/ dave \(del\) .*for dave/, 20_000);
    assert.doesNotMatch(list, /\(delete/);
  });

  it('the last sysop is not locked, demoted or deleted: exit 1 and why', { timeout: 60_000 }, async () => {
    for (const args of [['lock'], ['delete'], ['set-level', 'x', '20']]) {
      const argv = args[0] === 'set-level' ? ['user', 'set-level', 'Lestrade', '20'] : ['user', args[0]!, 'Lestrade'];
      const r = await board.cli(argv);
      assert.equal(r.code, 1, `${argv.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^carrier: user [a-z-]+: will not (lock|delete|lower the level of) Lestrade: it is the last sysop account that can log in/);
    }
    const shown = await board.cli(['user', 'show', 'Lestrade']);
    assert.match(shown.stdout, /^level: +90$/m);
    assert.match(shown.stdout, /^locked: +no$/m);
  });

  it('set-location sets, refuses by the sign-up rules, and - clears', { timeout: 60_000 }, async () => {
    const set = await board.cli(['user', 'set-location', 'carol', 'Cork,', 'Ireland']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout.trim(), 'carol calls from Cork, Ireland');
    assert.match((await board.cli(['user', 'show', 'carol'])).stdout, /^location: +Cork, Ireland$/m);
    const long = await board.cli(['user', 'set-location', 'carol', 'x'.repeat(41)]);
    assert.equal(long.code, 1);
    assert.match(long.stderr, /^carrier: user set-location: A location can have at most 40 characters\./);
    const none = await board.cli(['user', 'set-location', 'carol']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs a location, or - to clear it/);
    const cleared = await board.cli(['user', 'set-location', 'carol', '-']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(cleared.stdout.trim(), 'carol has no location');
    assert.match((await board.cli(['user', 'show', 'carol'])).stdout, /^location: +-$/m);
  });

  it('set-flags and set-notes set, refuse what they cannot take (exit 2), and - clears', { timeout: 60_000 }, async () => {
    const flags = await board.cli(['user', 'set-flags', 'carol', 'dbA']);
    assert.equal(flags.code, 0, flags.stderr);
    assert.equal(flags.stdout.trim(), 'carol has flags ABD');
    const bad = await board.cli(['user', 'set-flags', 'carol', 'A1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /user set-flags needs letters A to Z, or - to clear them \(got "A1"\)/);
    const notes = await board.cli(['user', 'set-notes', 'carol', 'called', 'about', 'uploads']);
    assert.equal(notes.code, 0, notes.stderr);
    assert.equal(notes.stdout.trim(), 'notes on carol saved');
    const shown = (await board.cli(['user', 'show', 'carol'])).stdout;
    assert.match(shown, /^flags: +ABD$/m);
    assert.match(shown, /^notes: +called about uploads$/m);
    const long = await board.cli(['user', 'set-notes', 'carol', 'x'.repeat(2001)]);
    assert.equal(long.code, 2);
    assert.match(long.stderr, /at most 2,000 characters/);
    assert.equal((await board.cli(['user', 'set-flags', 'carol', '-'])).stdout.trim(), 'carol has no flags');
    assert.equal((await board.cli(['user', 'set-notes', 'carol', '-'])).stdout.trim(), 'carol has no notes');
    const after = (await board.cli(['user', 'show', 'carol'])).stdout;
    assert.match(after, /^flags: +-$/m);
    assert.match(after, /^notes: +-$/m);
    // The board's audit trail has both, through the board's control verbs.
    const audit = readFileSync(join(board.dataDir, 'logs', 'audit.log'), 'utf8');
    assert.match(audit, /"verb":"user\.set-flags"/);
    assert.match(audit, /"verb":"user\.set-notes"/);
  });

  it('set-level takes a level by name, and a bad one gets its own usage line, not the whole list', { timeout: 60_000 }, async () => {
    const named = await board.cli(['user', 'set-level', 'carol', 'cosysop']);
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /carol is now level 80/);
    const bad = await board.cli(['user', 'set-level', 'carol', 'wizard']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /needs a level from 0 to 100, or new, user, cosysop, sysop \(got "wizard"\)/);
    assert.ok(bad.stderr.split('\n').filter((l) => l.trim() !== '').length <= 3, bad.stderr);
    assert.match(bad.stderr, /user set-level <handle>/);
    assert.equal((await board.cli(['user', 'set-level', 'carol', 'user'])).code, 0);
  });
});
