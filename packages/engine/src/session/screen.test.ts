import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { LineKeeper } from '../social/line-keeper.js';
import { FakeConnection } from '../test-support.js';
import { Screen } from './screen.js';

function screen(type = 'xterm') {
  const conn = new FakeConnection({ terminal: { type, types: [type], cols: 80, rows: 24 } });
  const log = createMemoryLogger();
  const line = new LineKeeper();
  let closed = false;
  const s = new Screen({ conn, artDir: '/nonexistent', log, get closed() { return closed; }, line: () => line, keysSeen: () => 0, firstTime: () => true });
  return { s, conn, log, line, close: () => (closed = true) };
}

describe("a session's screen lent out (the sysop's break-in chat)", () => {
  it('holds what the session writes, then writes the borrower\'s note and what was held, in order', () => {
    const { s, conn, line } = screen();
    s.write('Command: ');
    const release = s.hold();
    s.write('first ');
    s.print('|07second');
    assert.equal(conn.screen, 'Command: ', 'nothing reaches the caller while it is held');
    release(line.restore('note'));
    assert.match(conn.screen, /^Command: \x1b\[0m\r\nnote\x1b\[0m\r\nCommand: first \x1b\[[0-9;]*msecond$/);
    release('again');
    assert.doesNotMatch(conn.screen, /again/, 'a release counts once');
  });

  it('lets the call\'s last line through while held, and drops what was held once the call is over', () => {
    const { s, conn, close } = screen();
    const release = s.hold();
    s.write('the menu');
    s.writeNow('Disconnected.');
    close();
    release('note');
    assert.equal(conn.screen, 'Disconnected.');
  });

  it('holds at most 256 KiB and says what it dropped', () => {
    const { s, conn, log } = screen();
    const release = s.hold();
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 5; i++) s.write(chunk);
    release();
    assert.equal(conn.screen.length, 4 * chunk.length);
    const warned = log.lines.find((l) => l['event'] === 'screen.held_output_dropped');
    assert.equal(warned?.['bytes'], chunk.length);
  });
});

describe('a line erased on a plain terminal (TERM=dumb)', () => {
  it('is blanked with spaces as wide as it was: with no escapes it was a bare CR, and the next text left the rest of the line behind', () => {
    const { s, conn } = screen('dumb');
    s.write('-- More (40%) Space page, Enter line, Continuous, Quit --');
    s.write('\r\x1b[Kline 19\r\n');
    // Fails without: 'line 19ter line, Continuous, Quit --' on the caller's screen.
    assert.equal(conn.screen, `-- More (40%) Space page, Enter line, Continuous, Quit --\r${' '.repeat(57)}\rline 19\r\n`);
  });

  it('never writes into the last column (a terminal that wraps there would scroll), and an empty line costs nothing', () => {
    const { s, conn } = screen('dumb');
    s.write('x'.repeat(100));
    s.write('\r\x1b[K');
    s.write('\r\x1b[Kok');
    assert.equal(conn.screen, `${'x'.repeat(100)}\r${' '.repeat(79)}\r\rok`);
  });

  it('stays an escape sequence on a terminal that has them', () => {
    const { s, conn } = screen();
    s.write('prompt');
    s.write('\r\x1b[Kok');
    assert.equal(conn.screen, 'prompt\r\x1b[Kok');
  });
});
