// A handle deleted and taken again is another caller: messages and mail to the first
// account are not the second's. Driven as a sysop and callers do it: `carrier msg post
// --to`, `carrier user delete`, `carrier user add`, and logins with inetutils telnet.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'correct-horse-9';

describe('a re-created handle with a real telnet client', () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];
  /** Logged in; resolves once `until` shows (the main menu's prompt unless a notice waits for a key first). */
  const login = async (handle: string, until: RegExp): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp, until);
    callers.push(c);
    return c;
  };
  const post = async (to: string, subject: string): Promise<string> => {
    const r = await board.cli(['msg', 'post', 'general', '--from', 'alice', '--to', to, '--subject', subject], `${subject}\n`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carrier-recipient-e2e-'));
    board = await startCarrier({ logLevel: 'info' });
    for (const h of ['alice', 'bob']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("messages and mail to a deleted bob are not the new bob's; one to the new bob is", async () => {
    const long = await board.cli(['msg', 'post', 'general', '--to', 'x'.repeat(33), '--subject', 's'], 'b\n');
    assert.equal(long.code, 2);
    assert.match(long.stderr, /--to is longer than 32 characters/);
    assert.match(await post('BOB', 'For the first bob'), /^posted #\d+ in general to bob$/m);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const alice = await store.users.findByHandle('alice');
      await store.mail.send({ fromUserId: alice!.id, fromHandle: 'alice', to: 'bob', subject: 'Private', body: 'for the first bob' });
    } finally {
      await store.close();
    }
    const first = await login('bob', /1 new message to you/);
    assert.match(await first.screen(), /You have 1 new mail[\s\S]*1 new message to you/);
    first.hangup();

    const deleted = await board.cli(['user', 'delete', 'bob']);
    assert.equal(deleted.code, 0, deleted.stderr);
    await board.addUser('bob', PW);
    // straight to the main menu: no notice waited for a key
    const second = await login('bob', /Command:/);
    assert.doesNotMatch(await second.screen(), /to you|new mail/);
    second.send('e');
    await second.waitScreen(/Mail - 0 unread/);
    second.send('q');
    await second.waitScreen(/Command:/);
    second.hangup();

    await post('bob', 'For the second bob');
    const third = await login('bob', /1 new message to you/);
    assert.doesNotMatch(await third.screen(), /new mail/);
    third.hangup();
  });
  it('mail to a handle that is none: the one handle starting so is offered, several are listed, none is said', async () => {
    for (const h of ['carmen', 'carol', 'robert']) await board.addUser(h, PW);
    const alice = await login('alice', /Command:/);
    alice.send('e');
    await alice.waitScreen(/Mail - \d+ unread[\s\S]*\[Q\]uit:\s*$/);
    alice.send('s');
    await alice.waitScreen(/To:\s*$/);
    alice.send('ROB\r');
    await alice.waitScreen(/There is no user called ROB\. Mail robert\? \[Y\/n\]\s*$/);
    alice.send('n');
    await alice.waitScreen(/Nothing sent\.\s+Mail - \d+ unread[\s\S]*\[Q\]uit:\s*$/);

    alice.send('s');
    await alice.waitScreen(/To:\s*$/);
    alice.send('rob\r');
    await alice.waitScreen(/Mail robert\? \[Y\/n\]\s*$/);
    alice.send('\r');
    await alice.waitScreen(/Subject:\s*$/);
    alice.send('Found you\r');
    await alice.waitScreen(/Ctrl-Z save/);
    alice.send('typed rob, meant robert\x1a');
    await alice.waitScreen(/Mail sent to robert\./);

    alice.send('s');
    await alice.waitScreen(/To:\s*$/);
    alice.send('car\r');
    await alice.waitScreen(/There is no user called car\.\s+Handles that start so: carmen, carol\.\s+Mail - \d+ unread[\s\S]*\[Q\]uit:\s*$/);

    alice.send('s');
    await alice.waitScreen(/To:\s*$/);
    alice.send('zz_\r');
    const none = await alice.waitScreen(/There is no user called zz_\.\s+Mail - \d+ unread[\s\S]*\[Q\]uit:\s*$/);
    assert.doesNotMatch(none, /Handles that start so: [^\n]*\n[^\n]*zz_/);
    alice.hangup();

    const robert = await login('robert', /You have 1 new mail/);
    robert.hangup();
  });
});
