// `carrier shutdown` from the shell against the built server (what `npm start` runs): a
// telnet caller sees the notice with the sysop's message and is told goodbye and hung up
// after the grace time, the call row is ended, the board's process exits 0 and so does
// the CLI. Usage mistakes exit 2 naming the option; with no board running, exit 1.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { repoRoot, run, startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';

const CLI = join(repoRoot, 'packages', 'server', 'dist', 'cli.js');

function connectTo(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

describe('carrier shutdown', { timeout: 120_000 }, () => {
  let board: Carrier;
  let caller: RawTelnet | undefined;
  const shutdown = (...args: string[]) => run(process.execPath, [CLI, 'shutdown', ...args], { env: board.env, timeoutMs: 90_000 });

  before(async () => {
    board = await startCarrier({ dist: true });
    await board.addUser('alice', 'wonderland-7');
  });
  after(async () => {
    caller?.close();
    await board?.stop();
  });

  it('a usage mistake exits 2 and names the option, and the board keeps running', async () => {
    for (const [args, named] of [
      [['--in', 'soon'], /shutdown --in needs a whole number of seconds from 0 to 600 \(got "soon"\)/],
      [['--in', '601'], /shutdown --in needs/],
      [['--in'], /shutdown --in needs/],
      [['--message', ''], /shutdown --message needs a text of 1 to 200 characters/],
      [['--message', 'x'.repeat(201)], /shutdown --message needs/],
      [['--now'], /shutdown takes --message and --in, not "--now"/],
    ] as const) {
      const r = await shutdown(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, named);
      assert.match(r.stderr, /usage: carrier <verb>\n {2}shutdown \[--message <text>\] \[--in <s>\]/);
    }
    assert.equal(board.process.exitCode, null, 'the board still runs');
  });

  it('tells the caller, waits the grace time, stops the board as SIGTERM does; the CLI and the board exit 0', async () => {
    caller = await loginRaw(board.ports.telnet!, 'alice', 'wonderland-7');
    await caller.waitFor('Command:', 15_000);
    const exited = new Promise<number | null>((resolve) => board.process.once('exit', (code) => resolve(code)));

    const r = await shutdown('--message', 'back at noon', '--in', '2');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^every caller is told; the board stops in 2 s\nthe board stopped\n$/);
    // The CLI returned only once the board had gone: nothing listens on its port any more.
    await assert.rejects(connectTo(board.ports.telnet!), /ECONNREFUSED/);
    assert.equal(await exited, 0);

    await caller.waitClosed(10_000);
    const seen = caller.text();
    assert.match(seen, /The board goes down in 2 s\. back at noon/, 'the notice, with the message');
    assert.match(seen, /going down for maintenance/, 'the goodbye of the graceful stop');
    assert.ok(seen.indexOf('back at noon') < seen.indexOf('going down for maintenance'), 'the notice came first');
    const events = board.logs.map((l) => l['event']);
    for (const e of ['control.shutdown', 'board.shutdown', 'session.end', 'board.stopped']) assert.ok(events.includes(e), `${e} logged (events: ${events.slice(-12).join(', ')})`);

    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const calls = await store.calls.recent(10);
      assert.deepEqual(calls.map((c) => c.handle), ['alice'], 'the call row was ended');
    } finally {
      await store.close();
    }
  });

  it('with no board running: exit 1, as status says', async () => {
    const r = await shutdown();
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /no board is running at /);
  });
});
