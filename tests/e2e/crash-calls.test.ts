// A board on SQLite alone is killed with -9 while a caller is on: the call stays open in
// the database. The next start of the board ends it once it has watched the dead
// process's beat stand still for three beats' time, at the time it was last seen alive
// (its last beat in the database, never before the call began), so the caller reaches
// "last callers" instead of staying "online" for ever (issues 11.15, 18.6).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { connect, type TelnetClient } from '@carrier/client';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';

const FIRST_SCREEN_MS = 15_000;

async function login(board: Carrier, handle: string, password: string, from: string): Promise<TelnetClient> {
  const c = await connect({ port: board.ports.telnet!, localAddress: from });
  await c.readUntil('login:', { timeout: FIRST_SCREEN_MS });
  c.writeLine(handle);
  await c.readUntil('password:');
  c.writeLine(password);
  await c.readUntil('Command:', { timeout: FIRST_SCREEN_MS });
  return c;
}

describe('calls of a board killed with -9 (SQLite alone)', { timeout: 120_000 }, () => {
  const boards: Carrier[] = [];
  const clients: TelnetClient[] = [];
  after(async () => {
    for (const c of clients) void c.close();
    // The first board's stop() removes the data dir both boards used: stop it last.
    for (const b of boards.reverse()) await b.stop();
  });

  it('the next start ends the call the dead process left open, and last callers shows it ended', async () => {
    const first = await startCarrier({ logLevel: 'info' });
    boards.push(first);
    await first.addUser('alice', 'looking-glass-9');
    await first.addUser('bob', 'builder-of-things');
    const alice = await login(first, 'alice', 'looking-glass-9', '127.0.0.2');
    clients.push(alice);
    const opened = await first.waitForLog((l) => l['event'] === 'session.login' && l['user'] === 'alice');
    // Let the process beat at least once after the login (every 5 s; later on a loaded
    // machine, so watch its row rather than the clock).
    const loggedInAt = Date.now();
    const watch = await openStore({ dataDir: first.dataDir, log: silentLogger });
    try {
      const deadline = Date.now() + 30_000;
      while (!(await watch.processes.list()).some((p) => p.seenAt > loggedInAt)) {
        assert.ok(Date.now() < deadline, 'the board beat within 30 s of the login');
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await watch.close();
    }
    const exited = new Promise((r) => first.process.once('exit', r));
    const killedAt = Date.now();
    first.process.kill('SIGKILL');
    await exited;
    await alice.whenClosed();

    const second = await startCarrier({ logLevel: 'info', env: { CARRIER_DATA_DIR: first.dataDir } });
    boards.push(second);
    // Its beat watched standing still for ALONE_DEAD_AFTER_MS (15 s), by a sweep (every 10 s).
    const ended = await second.waitForLog((l) => l['event'] === 'calls.ended_for_dead_process', 40_000);
    assert.equal(ended['calls'], 1, JSON.stringify(ended));

    const store = await openStore({ dataDir: first.dataDir, log: silentLogger });
    try {
      const [call] = (await store.calls.recent(10)).filter((c) => c.handle === 'alice');
      assert.ok(call, 'alice’s call is among the ended calls');
      assert.equal(call.endReason, 'process died');
      assert.ok(call.endedAt! >= call.startedAt, 'never before the call began');
      assert.ok(call.endedAt! <= killedAt, `ended when last seen alive (${call.endedAt}), not at the restart (killed at ${killedAt})`);
      assert.ok(call.endedAt! > call.startedAt, 'the beat after the login is the last sign of life');
      assert.ok(Number(opened['pid']) > 0);
    } finally {
      await store.close();
    }

    const bob = await login(second, 'bob', 'builder-of-things', '127.0.0.3');
    clients.push(bob);
    bob.write('l');
    const list = (await bob.readUntil('press a key')).replace(/\x1b\[[0-9;]*m/g, '');
    const aliceRow = list.split('\n').find((l) => /\balice\s+telnet\b/.test(l));
    assert.ok(aliceRow, list);
    assert.doesNotMatch(aliceRow, /online/, 'alice is no longer shown as on');
    assert.match(list, /\bbob\s+telnet\b.*online/, list);
  });
});

