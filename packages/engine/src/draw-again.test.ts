import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLineUnder } from './draw-again.js';

describe('a line prompt under a screen, drawn again for a spy', () => {
  it('leaves as many rows under the screen as the answered prompts and the prompt take, broken rows counted', async () => {
    const drawn: string[] = [];
    let below = -1;
    const s = {
      print: (t: string) => drawn.push(t),
      println: (t: string) => drawn.push(`${t}\n`),
      // The spy starts while the caller types: its copy is drawn.
      readLine: async (opts: { spyDraw: () => void }) => {
        drawn.length = 0;
        opts.spyDraw();
        return 'typed';
      },
    };
    const asked = 'There is no user called\nsys. Mail sysop? [Y/n]';
    assert.equal(await readLineUnder(s, (n) => (below = n), 'Subject: ', {}, ['To: sys', asked]), 'typed');
    // To: (1 row), the question (2 rows at this width), Subject: (1): it counted 3
    assert.equal(below, 4);
    assert.deepEqual(drawn, ['To: sys\n', `${asked}\n`, 'Subject: ']);
  });
});
