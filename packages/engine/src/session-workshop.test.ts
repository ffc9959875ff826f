import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { createTestBoard, delay, events, FakeConnection, type TestBoard } from './test-support.js';

const boards: TestBoard[] = [];
async function board(scripts: Record<string, string>, config: Parameters<typeof createTestBoard>[1] = {}): Promise<TestBoard> {
  const b = await createTestBoard(scripts, config);
  boards.push(b);
  return b;
}
afterEach(async () => {
  for (const b of boards.splice(0)) await b.close();
});

const listenerCounts = (conn: FakeConnection) => (['data', 'resize', 'close', 'drain'] as const).map((e) => conn.listenerCount(e));

describe('Session: pager and lightbar', () => {
  it('pager pages to the caller\'s screen and says whether the end was reached', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        const text = Array.from({ length: 30 }, (_, i) => 'row ' + (i + 1)).join('\\n');
        const all = await s.pager(text);
        s.println('first: ' + all);
        const stopped = await s.pager(text);
        s.println('second: ' + stopped);
      };`,
    });
    const conn = new FakeConnection({ terminal: { cols: 80, rows: 12 } });
    const { session } = b.connect(conn);
    await conn.waitFor('More');
    assert.match(conn.screen, /row 11\r\n/);
    assert.doesNotMatch(conn.screen, /row 12/);
    conn.type(' ');
    await conn.waitFor('row 22');
    conn.type(' ');
    await conn.waitFor('first: true');
    await conn.waitFor('More', 3000, conn.screen.indexOf('first: true'));
    conn.type('q');
    await session.done;
    assert.match(conn.screen, /second: false/);
  });

  it('lightbar returns the index picked with the arrows, or undefined on Escape', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        s.println('pick=' + await s.lightbar(['Apples', 'Pears', { text: 'Plums', key: 'p' }]));
        s.println('pick=' + await s.lightbar(['Apples', 'Pears']));
      };`,
    });
    const { conn, session } = b.connect();
    await conn.waitFor('Plums');
    conn.type('\x1b[B\x1b[B\r');
    await conn.waitFor('pick=2');
    conn.type('\x1b');
    await session.done;
    assert.match(conn.screen, /pick=undefined/);
  });
});

describe('Session: full-screen views', () => {
  it('a view renders to this caller, takes the keys while open, and is gone when the script ends', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        const listeners = () => ['data', 'resize', 'close', 'drain'].map((e) => s.conn.listenerCount(e)).join(',');
        const before = listeners();
        const v = s.view();
        globalThis.__blessed = v.blessed;
        v.blessed.box({ parent: v.screen, top: 1, left: 1, width: 30, height: 3, content: 'inside the view' });
        v.screen.key(['q'], () => v.close('quit by key'));
        v.screen.render();
        s.println('result=' + await v.result);
        s.println('listeners ' + (listeners() === before ? 'as before' : before + ' -> ' + listeners()));
        s.println('screens after close=' + v.blessed.screen.instances.length);
        // 'x' went to the view while it was open; only keys typed after it reach readKey.
        s.println('next key=' + await s.readKey());
        s.view().screen.render();
        return 'left a view open';
      };`,
    });
    const { conn, session } = b.connect();
    await conn.waitFor('inside');
    conn.type('xq');
    await conn.waitFor('screens after close=0');
    assert.match(conn.screen, /result=quit by key/);
    assert.match(conn.screen, /listeners as before/);
    conn.type('k');
    await conn.waitFor('next key=k');
    await session.done;
    // The view the script left open was closed when it returned.
    const blessed = (globalThis as { __blessed?: { screen: { instances: unknown[] } } }).__blessed!;
    assert.equal(blessed.screen.instances.length, 0);
    assert.deepEqual(listenerCounts(conn), [0, 0, 0, 0]);
  });

  it('a hang-up closes the view and its result rejects, so the script unwinds', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        const v = s.view();
        globalThis.__viewScreen = v.screen;
        v.screen.render();
        try { await v.result; } catch (err) { globalThis.__viewError = err.code; throw err; }
      };`,
    });
    const { conn, session } = b.connect();
    await eventually(() => (globalThis as { __viewScreen?: unknown }).__viewScreen, "the script's view", { intervalMs: 10 });
    conn.reset();
    await session.done;
    await delay(10);
    assert.equal((globalThis as { __viewError?: string }).__viewError, 'CONNECTION_CLOSED');
    assert.equal(events(b.log, 'script.error').length, 0, 'a hang-up is not a script error');
    assert.deepEqual(listenerCounts(conn), [0, 0, 0, 0]);
  });
});

describe('Session: waiting for things that may never come', () => {
  it('until() releases a script waiting forever when the idle timeout ends the call', async () => {
    const b = await board(
      {
        matrix: `export default async (s) => {
          try { await s.until(new Promise(() => {})); } catch (err) { globalThis.__untilError = err.code; throw err; }
        };`,
      },
      { idleTimeoutMs: 150 },
    );
    const { conn, session } = b.connect();
    await session.done;
    await delay(10);
    assert.match(conn.screen, /Idle timeout/);
    assert.equal((globalThis as { __untilError?: string }).__untilError, 'CONNECTION_CLOSED');
  });

  it('a script awaiting forever without until() still lets the session end and the node go free', async () => {
    const b = await board({ matrix: `export default async () => { await new Promise(() => {}); };` });
    const { conn, session } = b.connect();
    await delay(50);
    conn.reset();
    await session.done;
    assert.deepEqual(await b.bus.presence.snapshot(), []);
    assert.equal(b.board.sessions().length, 0);
  });
});

describe('Session: art at a modem speed', () => {
  it('a baud outside 110-115200 is refused with a clear error', async () => {
    const b = await board({
      matrix: `export default async (s) => {
        try { await s.art('x', { baud: 5 }); } catch (err) { s.println('refused: ' + err.code + ' ' + err.message); }
      };`,
    });
    await writeFile(join(b.artDir, 'x.ans'), 'art');
    const { conn, session } = b.connect();
    await session.done;
    assert.match(conn.screen, /refused: VALIDATION baud must be from 110 to 115200/);
  });
});
