import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createTestBoard, type TestBoard } from '../test-support.js';

const boards: TestBoard[] = [];
afterEach(async () => {
  for (const b of boards.splice(0)) await b.close();
});

const CLEAR = '\x1b[2J';

describe('the full-screen editor on a session', () => {
  it('a key typed while a resize waits is drawn once, by the resize\'s redraw, with the text wrapped to the new width', async () => {
    const b = await createTestBoard({
      matrix: `import { editText } from '@carrier/engine';
export default async (s) => {
  const text = await editText(s, { title: 'Resize', initial: 'alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima' });
  s.println('saved: ' + text);
};`,
    });
    boards.push(b);
    const { conn, session } = b.connect();
    await conn.waitFor('INS');
    const mark = conn.screen.length;
    // the window narrows, and a key arrives before the resize's redraw
    conn.setSize(40, 24, 'naws');
    conn.type('x');
    // the redraw: the text wrapped at 40 columns, with the key in it
    await conn.waitFor(/golf hotel india juliett kilo limax/, 3000, mark);
    const after = conn.screen.slice(mark);
    // before, the key was drawn first at the new size with the old 80-column line cut at
    // the edge (`... golf hotel` on one row), then the whole screen again
    assert.equal(after.split(CLEAR).length - 1, 1, JSON.stringify(after));
    assert.doesNotMatch(after, /foxtrot golf/);
    conn.type('\x1a');
    await conn.waitFor('saved: alpha bravo');
    await session.done;
  });
});
