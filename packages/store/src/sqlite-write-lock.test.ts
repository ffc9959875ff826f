// Two processes on one SQLite file (the board and a sysop's CLI verb, or two board
// processes): a transaction that reads before it writes must wait for the other's write
// lock, not fail. A deferred transaction's read pins a snapshot; once the other writer
// commits, SQLite refuses to upgrade that stale snapshot to a write (SQLITE_BUSY_SNAPSHOT)
// at once, without waiting in the busy handler. Write transactions therefore begin
// IMMEDIATE: they take the write lock first and wait their turn for it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from './store.js';
import { testBackends } from './test-backends.js';

const { backends } = await testBackends();
after(() => Promise.all(backends.map((b) => b.cleanup())));
const sqlite = backends.find((b) => b.kind === 'sqlite')!;

test('a post waits for another process holding the SQLite write lock, then is stored', async () => {
  const opts = await sqlite.fresh();
  const board = await openStore(opts);
  const cli = await openStore(opts);
  try {
    const alice = await board.users.create({ handle: 'Alice', password: 'wonderland 1' });
    // The other process: a write transaction open, with a write in it.
    await board.knex.raw('BEGIN IMMEDIATE');
    await board.knex('messages').insert({
      area: 'general', from_user_id: alice.id, from_handle: 'Alice', to_handle: 'All', subject: 'first', body: 'x', created_at: 1,
    });
    // The CLI posts meanwhile: its transaction reads (the recipient, the rate) and then writes.
    const posting = cli.messages.post({ area: 'general', fromUserId: alice.id, fromHandle: 'Alice', subject: 'second', body: 'y', rate: { max: 100, windowMs: 60_000 } });
    const outcome = posting.then(() => 'stored', (err: unknown) => err);
    await sleep(500);
    await board.knex.raw('COMMIT');
    assert.equal(await outcome, 'stored');
    const subjects = ((await cli.knex('messages').orderBy('id').select('subject')) as Array<{ subject: string }>).map((r) => r.subject);
    assert.deepEqual(subjects, ['first', 'second']);
  } finally {
    await cli.close();
    await board.close();
  }
});
