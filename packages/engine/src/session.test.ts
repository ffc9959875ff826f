import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { createTestBoard, delay, events, FakeConnection, type TestBoard } from './test-support.js';
import { APOLOGY } from './script-stack.js';
import { KEY_BACKLOG_PAUSE } from './key-input.js';

const boards: TestBoard[] = [];
async function board(scripts: Record<string, string>, config: Parameters<typeof createTestBoard>[1] = {}): Promise<TestBoard> {
  const b = await createTestBoard(scripts, config);
  boards.push(b);
  return b;
}
afterEach(async () => {
  for (const b of boards.splice(0)) await b.close();
});

const PASSWORD = 'tuba-lamp-7x';

function listenerCounts(conn: FakeConnection): number[] {
  return (['data', 'resize', 'close'] as const).map((e) => conn.listenerCount(e));
}

describe('Session: the script stack on a connection', () => {
  it('runs the start script and hangs up politely when the bottom script returns', async () => {
    const b = await board({ matrix: `export default async (s) => { s.println('|15Welcome|07 caller'); return 'bye'; };` });
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /Welcome/);
    assert.doesNotMatch(conn.screen, /\|15/, 'pipe codes are rendered, not printed');
    assert.match(conn.screen, /caller\r\n/);
    assert.equal(conn.endedWith, 'script ended');
    assert.deepEqual(await b.bus.presence.snapshot(), []);
  });

  it('a gosub that throws shows the apology and returns to the script below; the failure is logged', async () => {
    const b = await board({
      matrix: `export default async (s) => { const r = await s.gosub('broken'); s.println('back in matrix, got ' + r); };`,
      broken: `export default async () => { throw new Error('kaboom'); };`,
    });
    const { conn, session } = b.connect();
    // The apology waits for a key before the script below carries on.
    await conn.waitFor('press a key');
    assert.doesNotMatch(conn.screen, /back in matrix/);
    conn.type(' ');
    await session.done;
    assert.ok(conn.screen.indexOf(APOLOGY) < conn.screen.indexOf('back in matrix, got undefined'));
    const err = events(b.log, 'script.error')[0]!;
    assert.equal(err['script'], 'broken');
    assert.match(JSON.stringify(err['err']), /kaboom/);
  });

  it('a failing bottom script apologises and hangs up', async () => {
    const b = await board({ matrix: `export default async () => { null.x; };` });
    const { conn, session } = b.connect();
    await conn.waitFor('press a key');
    conn.type(' ');
    await session.done;
    assert.match(conn.screen, new RegExp(APOLOGY.replace('.', '\\.')));
    assert.equal(conn.endedWith, 'script error');
  });

  it('goto hands over to another script, and its arguments arrive', async () => {
    const b = await board({
      matrix: `export default async (s) => s.goto('second', 'from matrix');`,
      second: `export default async (s, note) => { s.println('second says ' + note + ' at depth ' + s.scripts.length); };`,
    });
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /second says from matrix at depth 1/);
  });

  it('an edited script is used by the next gosub while the running one finishes on the old version', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        for (let i = 0; i < 2; i++) { await s.gosub('part'); }
      };`,
      part: `export default async (s) => { s.println('part v1 start'); await s.readKey(); s.println('part v1 end'); };`,
    });
    const { conn, session } = b.connect();
    await conn.waitFor('part v1 start');
    await b.writeScript('part', `export default async (s) => { s.println('part v2 here'); };`);
    conn.type('x');
    await session.done;
    const screen = conn.screen;
    assert.ok(screen.indexOf('part v1 end') > 0, 'the running call finished on version 1');
    assert.ok(screen.indexOf('part v2 here') > screen.indexOf('part v1 end'), 'the next gosub ran version 2');
  });
});

describe('Session: keys and lines', () => {
  it('readKey decodes an escape sequence split across reads', async () => {
    const b = await board({
      matrix: `export default async (s) => { for (let i = 0; i < 3; i++) s.println('key=' + (await s.readKey())); };`,
    });
    const { conn, session } = b.connect();
    conn.type('\x1b');
    await delay(10);
    conn.type('[');
    conn.type('A');
    conn.type('q');
    conn.type('\x03');
    await session.done;
    assert.match(conn.screen, /key=up\r\nkey=q\r\nkey=ctrl-c/);
  });

  it('readLine edits with arrows split across reads and returns on Enter', async () => {
    const b = await board({
      matrix: `export default async (s) => { s.print('name: '); const v = await s.readLine({ maxLength: 20 }); s.println('got [' + v + ']'); };`,
    });
    const { conn, session } = b.connect();
    await conn.waitFor('name: ');
    conn.type('ac');
    conn.type('\x1b[');
    conn.type('D');
    conn.type('b\r');
    await session.done;
    assert.match(conn.screen, /got \[abc\]/);
  });

  it('readLine with a mask never echoes what is typed', async () => {
    const b = await board({
      matrix: `export default async (s) => { s.print('password: '); const v = await s.readLine({ mask: '*' }); s.println('length ' + v.length); };`,
    });
    const { conn, session } = b.connect();
    await conn.waitFor('password: ');
    conn.type('secret\r');
    await session.done;
    assert.doesNotMatch(conn.screen, /secret/);
    assert.match(conn.screen, /\*\*\*\*\*\*/);
    assert.match(conn.screen, /length 6/);
  });

  it('keys typed before the script asks are kept for it', async () => {
    const b = await board({
      matrix: `export default async (s) => { await new Promise((r) => setTimeout(r, 50)); s.println('k=' + (await s.readKey()) + (await s.readKey())); };`,
    });
    const { conn, session } = b.connect();
    conn.type('yo');
    await session.done;
    assert.match(conn.screen, /k=yo/);
  });

  it('readLine with wrap: typing past a full line moves the word being typed down to the next line', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        for (let i = 0; i < 3; i++) s.println('[' + (await s.readLine({ maxLength: 10, wrap: true })) + ']');
      };`,
    });
    const { conn, session } = b.connect();
    // 'worl' is on the first line when 'd' finds it full; 'abcdefghijkl' has no space to break at.
    conn.type('hello worldwide abcdefghijkl\r');
    await session.done;
    assert.match(conn.screen, /\[hello\][\s\S]*\[worldwide\][\s\S]*\[abcdefghij\]/);
    assert.doesNotMatch(conn.screen, /\[kl\]/, 'the third line is the third readLine');
  });

  it('keys past the rate wait, with the connection paused past KEY_BACKLOG_PAUSE, and all arrive in order', async () => {
    // Over the pause point: under it the connection is read on (a Ctrl-C behind a paste).
    const typed = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD'.repeat(Math.ceil((KEY_BACKLOG_PAUSE + 100) / 40));
    const b = await board(
      { matrix: `export default async (s) => { let all = ''; while (all.length < ${typed.length}) all += await s.readKey(); s.println('all ' + (all === 'abcdefghijklmnopqrstuvwxyz0123456789ABCD'.repeat(${typed.length / 40}))); };` },
      { keyRate: { perSecond: 1_000_000, burst: 10 } },
    );
    const conn = new PausingConnection();
    const { session } = b.connect(conn);
    conn.type(typed);
    await session.done;
    assert.match(conn.screen, /all true/);
    assert.deepEqual(conn.pauses, [true, false], 'paused while keys waited, read again once they were taken');
  });

  it('a door taking the input reads the connection again, though script keys still wait', async () => {
    // A rate that never refills: the waiting keys stay put, and only the hold moves the flow.
    const b = await board(
      {
        matrix: `export default async (s) => {
          await s.readKey();
          const release = s.holdInput();
          s.println('held');
          release();
          s.println('released ' + s.discardInput());
        };`,
      },
      { keyRate: { perSecond: 0.001, burst: 10 } },
    );
    const conn = new PausingConnection();
    const { session } = b.connect(conn);
    conn.type('x'.repeat(KEY_BACKLOG_PAUSE + 40));
    await session.done;
    assert.match(conn.screen, new RegExp(`held[\\s\\S]*released ${KEY_BACKLOG_PAUSE + 39}`));
    assert.deepEqual(conn.pauses, [true, false, true, false]);
  });
});

/** A connection that records the session's pauseInput calls (what a socket's pause/resume would do). */
class PausingConnection extends FakeConnection {
  readonly pauses: boolean[] = [];
  private asked = false;
  override pauseInput(paused: boolean): void {
    if (paused !== this.asked) this.pauses.push((this.asked = paused));
    super.pauseInput(paused);
  }
}

describe('Session: timers', () => {
  it('the idle timer releases a script waiting for a key forever and tells the caller why', async () => {
    const b = await board(
      {
        matrix: `export default async (s) => {
          try { await s.readKey(); } catch (e) { globalThis.__idleReleased = e.name; throw e; }
        };`,
      },
      { idleTimeoutMs: 150 },
    );
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /Idle timeout: goodbye\./);
    assert.equal(conn.endedWith, 'idle timeout');
    assert.equal((globalThis as Record<string, unknown>)['__idleReleased'], 'ConnectionClosedError');
    assert.equal(events(b.log, 'script.error').length, 0, 'a hang-up is not a script error');
  });

  it('input pushes the idle timer back', async () => {
    const b = await board(
      { matrix: `export default async (s) => { for (;;) s.println('got ' + (await s.readKey())); };` },
      { idleTimeoutMs: 1000 },
    );
    const { conn, session } = b.connect();
    // Gaps far below the limit, so a loaded CI machine cannot stretch one past it.
    for (let i = 0; i < 15; i++) {
      await delay(100);
      conn.type('k');
    }
    assert.equal(conn.closed, false, 'still connected after 1.5 s of typing with a 1 s idle limit');
    await session.done;
    assert.equal(conn.endedWith, 'idle timeout');
  });

  it('a session stuck on something that is not input is still cleaned up when a timer fires', async () => {
    const b = await board(
      { matrix: `export default async (s) => { await s.login(await s.store.users.findByHandle('Ann')); await new Promise(() => {}); };` },
      // The login (store lookups) must come before the timer: at 150 ms, under load it did not
      // (no call was recorded, 3 runs in 6 with two busy loops).
      { idleTimeoutMs: 1_000 },
    );
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const { conn, session } = b.connect();
    await session.done;
    assert.equal(conn.endedWith, 'idle timeout');
    assert.deepEqual(await b.bus.presence.snapshot(), []);
    const [call] = await b.store.calls.recent(1);
    assert.ok(call, 'Ann logged in before the idle timer ended the call');
    assert.equal(call.endReason, 'idle timeout');
  });

  it('the login timer closes a caller who never logs in, and login() stops it', async () => {
    // Long enough for the member's login (a store lookup) to come first on a loaded machine,
    // which 150 ms need not be.
    const loginTimeoutMs = 1_000;
    const b = await board(
      {
        matrix: `export default async (s) => {
          if (s.conn.loginHint === 'ann') await s.login(await s.store.users.findByHandle('Ann'));
          await s.readKey();
        };`,
      },
      { loginTimeoutMs },
    );
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const anonymous = b.connect();
    await anonymous.session.done;
    assert.match(anonymous.conn.screen, /Login timeout: goodbye\./);
    assert.equal(anonymous.conn.endedWith, 'login timeout');

    const conn = new FakeConnection();
    conn.loginHint = 'ann';
    const member = b.connect(conn);
    // Logged in (waited for), then past the login timer, which was set first and so fires first.
    await eventually(async () => (await b.bus.presence.snapshot()).some((p) => p.handle === 'Ann'), 'Ann logged in');
    await delay(loginTimeoutMs);
    assert.equal(conn.closed, false);
    conn.type('x');
    await member.session.done;
    assert.equal(conn.endedWith, 'script ended');
  });
});

describe('Session: hang-up and bookkeeping', () => {
  it('a TCP reset mid-read unwinds the stack, removes presence, ends the call and leaves no listeners', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        await s.login(await s.store.users.findByHandle('Ann'));
        await s.gosub('reader');
        s.println('matrix must not continue');
      };`,
      reader: `export default async (s) => { s.setActivity('reading'); s.println('reading'); await s.readLine(); };`,
    });
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const { conn, session } = b.connect();
    await conn.waitFor('reading');
    await delay(20);
    const online = await b.bus.presence.snapshot();
    assert.equal(online.length, 1);
    assert.equal(online[0]!.handle, 'Ann');
    assert.equal(online[0]!.activity, 'reading');
    const before = Date.now();
    conn.reset();
    await session.done;
    // At once, not at a timeout: the board's own timers here are minutes (login 2 min, idle
    // 10 min); 5 s leaves a busy CI machine room without letting one of them pass.
    assert.ok(Date.now() - before < 5000);
    assert.deepEqual(await b.bus.presence.snapshot(), []);
    const [call] = await b.store.calls.recent(1);
    assert.equal(call?.handle, 'Ann');
    assert.equal(call?.endReason, 'ECONNRESET');
    assert.doesNotMatch(conn.screen, /must not continue/);
    assert.deepEqual(listenerCounts(conn), [0, 0, 0]);
    assert.equal(events(b.log, 'script.error').length, 0);
    assert.equal(b.board.sessions().length, 0);
  });

  it('s.hangup() from a script ends the call with its reason', async () => {
    const b = await board({
      matrix: `export default async (s) => { await s.login(await s.store.users.findByHandle('Ann')); s.println('bye'); return s.hangup('logoff'); };`,
    });
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const { conn, session } = b.connect();
    await session.done;
    assert.equal(conn.endedWith, 'logoff');
    const [call] = await b.store.calls.recent(1);
    assert.equal(call?.endReason, 'logoff');
    assert.equal((await b.store.users.findByHandle('Ann'))?.callCount, 1);
  });

  it('node numbers are the lowest free, and a hung-up node is reused', async () => {
    const b = await board({ matrix: `export default async (s) => { s.println('node ' + s.node); await s.readKey(); };` });
    const callers = [b.connect(), b.connect(), b.connect()];
    for (const [i, c] of callers.entries()) await c.conn.waitFor(`node ${i + 1}`);
    callers[1]!.conn.reset();
    await callers[1]!.session.done;
    const next = b.connect();
    await next.conn.waitFor('node 2');
    assert.deepEqual((await b.bus.presence.snapshot()).map((e) => e.node).sort(), [1, 2, 3]);
  });

  it('a caller authenticated by the front end starts logged in, in the authenticated script', async () => {
    const b = await board({
      matrix: `export default async (s) => { s.println('matrix?!'); };`,
      main: `export default async (s) => { s.println('main for ' + s.user.handle); };`,
    });
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const { conn, session } = b.connect(new FakeConnection({ identity: { user: 'ann', via: 'ssh-password' } }));
    await session.done;
    assert.match(conn.screen, /main for Ann/);
    assert.doesNotMatch(conn.screen, /matrix/);
  });

  it('an ssh "new" caller starts in newuser, and goes on to main once signed up', async () => {
    const b = await board({
      newuser: `export default async (s) => {
        const u = await s.createUser({ handle: 'Bea', password: '${PASSWORD}' });
        await s.login(u);
        return true;
      };`,
      main: `export default async (s) => { s.println('main for ' + s.user.handle); };`,
    });
    const { conn, session } = b.connect(new FakeConnection({ wantsNewUser: true }));
    await session.done;
    assert.match(conn.screen, /main for Bea/);
  });

  it('createUser returns null for a taken handle', async () => {
    const b = await board({
      matrix: `export default async (s) => { s.println('second: ' + (await s.createUser({ handle: 'ANN', password: '${PASSWORD}' }))); };`,
    });
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /second: null/);
  });

  it('a sysop disconnect on the bus reaches the session by id', async () => {
    const b = await board({ matrix: `export default async (s) => { s.println('waiting'); await s.readKey(); };` });
    const { conn, session } = b.connect();
    await conn.waitFor('waiting');
    b.bus.publish('session.disconnect', { sessionId: 'someone-else', reason: 'x', by: 'sysop' });
    assert.equal(conn.closed, false);
    b.bus.publish('session.disconnect', { sessionId: session.id, reason: 'flooding chat', by: 'sysop' });
    await session.done;
    assert.match(conn.screen, /Disconnected: flooding chat/);
    assert.equal(conn.endedWith, 'disconnected by sysop');
  });

  it('a message on the bus is shown to its session with control characters removed', async () => {
    const b = await board({ matrix: `export default async (s) => { s.println('waiting'); await s.readKey(); };` });
    const { conn, session } = b.connect();
    await conn.waitFor('waiting');
    b.bus.publish('session.message', { sessionId: session.id, from: 'sysop', text: 'hello\x1b[2J there' });
    await conn.waitFor('there');
    // The whole escape sequence goes, not only its ESC (core cleanUserText).
    assert.match(conn.screen, /Message from sysop: .*hello there/);
    assert.doesNotMatch(conn.screen, /\x1b\[2J/);
    conn.type('x');
    await session.done;
  });

  it('shutdown tells every caller, ends their calls and waits for them', async () => {
    const b = await board({
      matrix: `export default async (s) => { await s.login(await s.store.users.findByHandle('Ann')); s.println('in'); await s.readKey(); };`,
    });
    await b.store.users.create({ handle: 'Ann', password: PASSWORD });
    const a = b.connect();
    const c = b.connect();
    await a.conn.waitFor('in');
    await c.conn.waitFor('in');
    await b.board.shutdown('Back in five minutes.');
    for (const x of [a, c]) {
      assert.match(x.conn.screen, /Back in five minutes\./);
      assert.equal(x.conn.endedWith, 'server shutdown');
    }
    const calls = await b.store.calls.recent(5);
    assert.deepEqual(calls.map((x) => x.endReason), ['server shutdown', 'server shutdown']);
    assert.equal(b.board.sessions().length, 0);
  });
});

describe('Session: resize', () => {
  it('a script hears window size changes through onResize', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        s.onResize((cols, rows) => s.println('now ' + cols + 'x' + rows));
        s.println('ready');
        await s.readKey();
      };`,
    });
    const { conn, session } = b.connect();
    await conn.waitFor('ready');
    conn.setSize(132, 50, 'naws');
    await conn.waitFor('now 132x50');
    assert.equal(session.terminal.cols, 132);
    conn.type('q');
    await session.done;
    assert.equal(conn.listenerCount('resize'), 0);
  });
});

describe("Session: the window's size in who's online", () => {
  it('a new size reaches presence once the resizes settle, not a second later; a storm of them is one presence write a second at most', async (t) => {
    const b = await board({ matrix: `export default async (s) => { s.println('ready'); await s.readKey(); };` });
    const { conn, session } = b.connect();
    await conn.waitFor('ready');
    const mine = async () => (await b.bus.presence.snapshot()).find((e) => e.sessionId === session.id);
    await eventually(async () => (await mine())?.node, 'the session in presence');
    const published: string[] = [];
    const off = b.bus.subscribe('presence.update', (e) => {
      if (e.sessionId === session.id) published.push(`${e.terminal.cols}x${e.terminal.rows}`);
    });
    /** Let the presence ledger and the bus (promises, immediates: not on the mock clock) run. */
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    // The mock clock starts a quiet minute after the session's last presence write.
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() + 60_000 });
    try {
      conn.setSize(10, 5, 'naws');
      t.mock.timers.tick(100);
      await settle();
      // Fails without: the resize armed a 1 s timer, so a sysop's T read the old size for a second.
      assert.deepEqual(published, ['10x5']);
      const entry = await mine();
      assert.deepEqual([entry?.terminal.cols, entry?.terminal.rows], [10, 5]);
      // A resize storm: 200 sizes over two seconds.
      published.length = 0;
      for (let i = 0; i < 200; i++) {
        conn.setSize(20 + (i % 50), 10 + (i % 7), 'naws');
        t.mock.timers.tick(10);
        await settle();
      }
      t.mock.timers.tick(1_000);
      await settle();
      assert.ok(published.length <= 3, `presence writes in a 2 s storm: ${published.length}`);
      assert.equal(published.at(-1), `${20 + (199 % 50)}x${10 + (199 % 7)}`, 'the last size is the one shown');
    } finally {
      t.mock.timers.reset();
      off();
    }
    conn.type('q');
    await session.done;
  });
});

describe('Session: art', () => {
  it('sends an art file as bytes in the caller encoding', async () => {
    const b = await board({ matrix: `export default async (s) => { await s.art('logo'); };` });
    await writeFile(join(b.artDir, 'logo.ans'), Buffer.from('\x1b[1;33mLOGO\x1b[0m\r\n', 'latin1'));
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /LOGO/);
  });

  it('missing art logs one warning and prints the fallback instead', async () => {
    const b = await board({ matrix: `export default async (s) => { await s.art('nothere', { fallback: 'Plain welcome' }); await s.art('nothere'); };` });
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /Plain welcome/);
    assert.match(conn.screen, /nothere/);
    const warnings = events(b.log, 'art.missing');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!['name'], 'nothere');
  });

  it('an art name that is not a plain name is logged and the fallback printed', async () => {
    const b = await board({ matrix: `export default async (s) => { await s.art('../secret', { fallback: 'fallback shown' }); s.println('still running'); };` });
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /fallback shown\r\n\r\nstill running/);
    assert.equal(events(b.log, 'art.invalid').length, 1);
  });
});

describe('Session: terminal probe', () => {
  it('probes a terminal whose size is unknown and hands keys typed meanwhile to the script', async () => {
    const b = await board({ matrix: `export default async (s) => { s.println('first key ' + (await s.readKey())); };` });
    const conn = new FakeConnection({ terminal: { types: ['ansi'], type: 'ansi', sizeSource: 'default', encoding: 'cp437' } });
    const { session } = b.connect(conn);
    await conn.waitFor('\x1b[6n');
    conn.type('z\x1b[50;132R');
    await session.done;
    assert.match(conn.screen, /first key z/);
    assert.deepEqual([conn.terminal.cols, conn.terminal.rows], [132, 50]);
  });

  it('does not probe a raw socket that negotiated nothing, and applies the default encoding', async () => {
    const b = await board({ matrix: `export default async (s) => { s.println('hi'); };` }, { defaultEncoding: 'utf8' });
    const conn = new FakeConnection({
      terminal: { types: [], type: 'unknown', sizeSource: 'default', encodingSource: 'default', encoding: 'cp437' },
    });
    const { session } = b.connect(conn);
    await session.done;
    assert.doesNotMatch(conn.screen, /\x1b\[6n/);
    assert.equal(conn.terminal.encoding, 'utf8');
    assert.equal(conn.terminal.encodingSource, 'config');
  });
});
