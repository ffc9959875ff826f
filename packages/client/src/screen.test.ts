import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScreenModel } from './screen.js';

describe('the screen model', () => {
  it('shows text where cursor movement put it, and where the cursor ended', async () => {
    const s = new ScreenModel(40, 10);
    s.write('\x1b[2J\x1b[3;5Hhello\r\n\x1b[1;31mworld');
    await s.settle();
    assert.equal(s.lines()[2], '    hello');
    assert.equal(s.lines()[3], 'world');
    assert.deepEqual(s.cursor(), { row: 3, col: 5 });
    s.dispose();
  });

  it('answers a size probe as a terminal of its size would', async () => {
    const s = new ScreenModel(100, 30);
    const replies: string[] = [];
    s.onReply((r) => replies.push(r));
    s.write('\x1b[999;999H\x1b[6n');
    await s.settle();
    assert.deepEqual(replies, ['\x1b[30;100R']);
    s.dispose();
  });
});
