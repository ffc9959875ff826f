import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { LogTap } from './log-tap.js';

describe('LogTap', () => {
  it('passes every line to the board logger with the fields of each child, and keeps warnings for the console', () => {
    const board = createMemoryLogger();
    const tap = new LogTap();
    const log = tap.wrap(board);
    const session = log.child({ session: 's1', user: 'nobody' }).child({ user: 'ann' }).child({ node: 3 });
    session.debug('session.key', { k: 1 });
    session.info('session.menu');
    session.warn('session.slow', { ms: 900 });
    log.error('board.oops');
    assert.deepEqual(
      board.lines.map((l) => [l['event'], l['session'], l['user'], l['node']]),
      [
        ['session.key', 's1', 'ann', 3],
        ['session.menu', 's1', 'ann', 3],
        ['session.slow', 's1', 'ann', 3],
        ['board.oops', undefined, undefined, undefined],
      ],
    );
    const kept = tap.tail({ all: true });
    assert.deepEqual(kept.map((l) => [l.level, l.event, l.node]), [['warn', 'session.slow', 3], ['error', 'board.oops', undefined]]);
    const rec = JSON.parse(kept[0]!.line) as Record<string, unknown>;
    assert.equal(rec['user'], 'ann');
    assert.equal(rec['ms'], 900);
  });

  it('formats info lines only while a console follows, and one node only for a node filter', () => {
    const tap = new LogTap();
    const log = tap.wrap(createMemoryLogger());
    const one = log.child({ node: 1 });
    const two = log.child({ node: 2 });
    one.info('before.following');
    const seen: string[] = [];
    const stop = tap.follow((l) => seen.push(`${l.level} ${l.event}`), { node: 2 });
    one.info('one.info');
    two.info('two.info');
    two.debug('two.debug');
    stop();
    two.info('after.following');
    assert.deepEqual(seen, ['info two.info']);
    assert.deepEqual(tap.tail({ node: 2 }), [], 'info lines are not kept');
  });
});
