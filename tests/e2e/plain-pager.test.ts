// A message longer than the screen on a dumb terminal (inetutils telnet, TERM=dumb): the
// more-prompt is erased before the next line is written over it. With no escape sequences
// its erase was a bare CR, and a line shorter than the prompt left the prompt's tail on
// the screen ("Long line 19ter line, Continuous, Quit --").
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'correct-horse-7';

/** Every row of the message on the screen holds its text and blanks, nothing of a prompt. */
function onlyRows(screen: string): void {
  for (const line of screen.split('\n')) if (line.startsWith('Row ')) assert.match(line, /^Row \d+\. *$/);
}

describe('the more-prompt on a dumb terminal', { skip: existsSync('/usr/bin/tmux') ? false : 'needs tmux' }, () => {
  let board: Carrier;
  const tmp = mkdtempSync(join(tmpdir(), 'carrier-plain-pager-'));
  const callers: TmuxCaller[] = [];
  before(async () => {
    board = await startCarrier();
    await board.addUser('tess', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('is blanked before the next line is written where it was: Enter shows one more line, Space a page, and no prompt text is left behind', async () => {
    const body = Array.from({ length: 60 }, (_, i) => `Row ${i + 1}.`).join('\n');
    const posted = await board.cli(['msg', 'post', 'general', '--subject', 'A long one'], `${body}\n`);
    assert.equal(posted.code, 0, posted.stderr);
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'tess', PW, tmp, /Command:/, 'dumb');
    callers.push(c);
    c.send('m');
    await c.waitScreen(/\[Q\]uit:\s*$/);
    c.send('r');
    const first = await c.waitScreen(/\nRow \d+\.\s*\n-- More \(\d+%\).*Quit --\s*$/);
    const last = Number(/\nRow (\d+)\.\s*\n-- More/.exec(first)![1]);
    c.send('\r');
    // One more line where the prompt was, then the prompt again under it.
    const one = await c.waitScreen(new RegExp(`\\nRow ${last + 1}\\.[^\\n]*\\n-- More \\(\\d+%\\)[^\\n]*Quit --\\s*$`));
    // Fails without: 'Row 19. (30%) Space page, Enter line, Continuous, Quit --'.
    onlyRows(one);
    c.send(' ');
    const page = await c.waitScreen(/\nRow 4\d\.[^\n]*\n-- More/);
    onlyRows(page);
    assert.equal(page.match(/Quit --/g)?.length, 1, 'one more-prompt on the screen');
  });
});
