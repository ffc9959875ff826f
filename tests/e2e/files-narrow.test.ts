// The file areas screen on a 24-column screen, with inetutils telnet in a tmux window that
// narrow from the start (its first NAWS says 24): the area header takes two rows (three
// before, broken mid-word), the menu's keys one with `?` for what each does (four before),
// J's areas a row each (three each before) and its question one, a listing's header and
// rows a row each with the size under `Size`, and its prompt one; U's sentences break
// between words.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import type { Carrier } from '../harness.js';
import { startSshFilesBoard } from './files-support.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'narrow-files-24';
const COLS = 24;

describe('the file areas screen on a 24-column screen', { timeout: 120_000 }, () => {
  let board: Carrier;
  let close: () => Promise<void> = async () => undefined;
  let tmp: string;
  const callers: TmuxCaller[] = [];

  before(async () => {
    tmp = scratchDir('carrier-files-narrow-e2e');
    ({ board, close } = await startSshFilesBoard({ prefix: 'carrier-files-narrow-', maxFileMiB: 5, generalFiles: { 'a-rather-long-file-name-for-a-narrow-screen.txt': 'narrow\n' } }));
    await board.addUser('nina', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await close();
  });

  it('the header, the keys and ?, J, and a listing each fit their rows', async () => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, 'nina', PW, tmp, /Command:/, undefined, COLS);
    callers.push(c);
    c.send('f');
    // (it was 'File area: General (gene' / 'ral, 2 files)' and the keys on four rows)
    await c.waitScreen(/^File area: General\s*\n2 files\s*\n\[J L T D U N S W Q \?\]:\s*$/m);
    c.send('?');
    await c.waitScreen(/^J {2}Jump\s*\nL {2}List\s*\nT {2}Tag\s*\nD {2}Download\s*\nU {2}Upload\s*\nN {2}New\s*\nS {2}Search\s*\nW {2}Web download link\s*\nQ {2}Quit\s*\nFile area: General\s*\n2 files\s*\n\[J L T D U N S W Q \?\]:\s*$/m);
    c.send('j');
    // An area a row (each took three: the name padded to 24, the tag, the description).
    await c.waitScreen(/^ {2}1 General\s*\n {2}2 Uploads\s*\nJump to which area: *$/m);
    c.send('\r');
    await c.waitScreen(/Jump to which area:\s*\n+File area: General\s*\n2 files\s*\n\[J L T D U N S W Q \?\]:\s*$/);
    c.send('l');
    const screen = await c.waitScreen(/\[T D Q\]:\s*$/);
    const rows = screen.split('\n').map((r) => r.trimEnd());
    const header = rows.findIndex((r) => r === '   # Name          Size');
    assert.ok(header >= 0, screen);
    // Each row: the number, the name cut to what is left, the size under Size (the store's order).
    const listed = rows.slice(header + 1, header + 3).map((r) => r.replace(/^ {3}\d /, '   # ')).sort();
    assert.deepEqual(listed, ['   # a-rather-lo     7B', '   # big.bin       1.4M'], screen);
    assert.equal(rows[header + 3], '[T D Q]:', screen);
    c.send('q');
    await c.waitScreen(/\[T D Q\]:\s*\n+File area: General\s*\n2 files\s*\n\[J L T D U N S W Q \?\]:\s*$/);
    // U's sentences break between words (the terminal broke them mid-word), and five Ctrl-X cancel.
    c.send('u');
    await c.waitScreen(/^Start your ZMODEM\s*\nupload now \(largest\s*\nfile 5\.0 MiB; Ctrl-X\s*\nfive times cancels\)\.\s*\nUploads wait for the\s*\nsysop before anyone\s*\nelse sees them\.\s*$/m);
    c.send('\x18'.repeat(5));
    await c.waitScreen(/^Transfer cancelled\.\s*\n0 file\(s\) received\.\s*\n+File area: General/m);
  });
});
