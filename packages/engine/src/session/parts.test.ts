import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createTestBoard, type TestBoard } from '../test-support.js';
import { DisposerStack } from './disposers.js';

const boards: TestBoard[] = [];
afterEach(async () => {
  for (const b of boards.splice(0)) await b.close();
});

describe('DisposerStack: one teardown', () => {
  it('runs what was registered newest first, once, and goes on past one that throws', () => {
    const errors: unknown[] = [];
    const stack = new DisposerStack((err) => errors.push(err));
    const ran: string[] = [];
    stack.defer(() => ran.push('listener'));
    stack.defer(() => {
      throw new Error('broken');
    });
    const release = stack.defer(() => ran.push('released early'));
    stack.defer(() => ran.push('view'));
    assert.equal(release(), true);
    assert.equal(release(), false, 'a second release owns nothing');
    stack.dispose();
    stack.dispose();
    assert.deepEqual(ran, ['view', 'listener']);
    assert.equal(errors.length, 1);
    stack.defer(() => ran.push('late'));
    assert.deepEqual(ran, ['view', 'listener', 'late'], 'registered after the end: run at once');
  });

  it('hold() releases once, whether called first or at disposal', () => {
    const stack = new DisposerStack(() => undefined);
    let offs = 0;
    const off = stack.hold(() => offs++);
    off();
    off();
    stack.dispose();
    assert.equal(offs, 1);
  });
});

describe('caller text through the session facade', () => {
  it('setActivity removes whole escape sequences, C1 CSI and format characters before who-s-online sees them', async () => {
    const b = await createTestBoard({
      matrix: `export default async (s) => { s.setActivity('reading\\x1b[2J\\x9b31m news\\u202e\\u200b'); s.println('set'); await s.readKey(); };`,
    });
    boards.push(b);
    const { conn, session } = b.connect();
    await conn.waitFor('set');
    assert.equal(session.activity, 'reading news');
    conn.type('x');
    await session.done;
  });

  it('a sysop disconnect line is cleaned the same way', async () => {
    const b = await createTestBoard({ matrix: `export default async (s) => { s.println('waiting'); await s.readKey(); };` });
    boards.push(b);
    const { conn, session } = b.connect();
    await conn.waitFor('waiting');
    b.bus.publish('session.disconnect', { sessionId: session.id, by: 'sysop', reason: 'bye\x1b[2J\x9b2J now' });
    await session.done;
    assert.match(conn.screen, /Disconnected: bye now/);
    assert.doesNotMatch(conn.screen, /\[2J|\x9b/);
  });
});
