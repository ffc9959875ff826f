import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { LineKeeper } from '../social/line-keeper.js';
import { FakeConnection } from '../test-support.js';
import { Screen } from './screen.js';

function screen() {
  const conn = new FakeConnection();
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
