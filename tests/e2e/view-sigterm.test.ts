// Issue 18 item 2: SIGTERM while callers have full-screen views open (who's online, chat)
// must run carrier's graceful stop. blessed's own SIGTERM handler used to see itself
// alone once the stop had closed the last screen and call process.exit(0) at once: no
// goodbye, no session.end, call rows left open. Now every caller is told, every call
// row is ended and the process exits through the board's normal path (board.stopped).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';

describe('SIGTERM with callers in full-screen views (issue 18 item 2)', { timeout: 120_000 }, () => {
  let board: Carrier;
  const callers: RawTelnet[] = [];

  before(async () => {
    board = await startCarrier();
    await board.addUser('alice', 'wonderland-7');
    await board.addUser('bob', 'builder-42x');
  });
  after(async () => {
    for (const c of callers) c.close();
    await board?.stop();
  });

  it('tells every caller, ends every call row and exits through the graceful stop', async () => {
    const online = await loginRaw(board.ports.telnet!, 'alice', 'wonderland-7', { size: { cols: 100, rows: 40 } });
    const chat = await loginRaw(board.ports.telnet!, 'bob', 'builder-42x', { size: { cols: 100, rows: 40 } });
    callers.push(online, chat);
    online.send('w');
    await online.waitFor("Who's online -", 30_000);
    chat.send('c');
    await chat.waitFor('/help for commands', 30_000);

    const exited = new Promise<number | null>((resolve) => board.process.once('exit', (code) => resolve(code)));
    board.process.kill('SIGTERM');
    const code = await exited;

    assert.equal(code, 0);
    const events = board.logs.map((l) => l['event']);
    assert.ok(events.includes('board.shutdown'), `the board's shutdown ran (events: ${events.slice(-12).join(', ')})`);
    assert.ok(events.includes('board.stopped'), 'the stop finished (board.stopped)');
    assert.equal(board.logs.filter((l) => l['event'] === 'session.end').length, 2, 'both sessions ended');
    for (const c of [online, chat]) {
      await c.waitClosed(10_000);
      assert.match(c.text(), /going down/, 'the caller was told');
    }

    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const ended = await store.calls.recent(10);
      assert.deepEqual(ended.map((c) => c.handle).sort(), ['alice', 'bob'], 'both call rows were ended');
    } finally {
      await store.close();
    }
  });
});
