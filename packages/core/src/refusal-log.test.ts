import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLogger } from './log.js';
import { RefusalLog } from './refusal-log.js';

describe('the refusal log', () => {
  it('writes one line for the first refusal and one summary for the rest of the minute', () => {
    let now = 0;
    const log = createMemoryLogger();
    const refusals = new RefusalLog(log, () => now, 60_000);
    for (let i = 0; i < 500; i++) refusals.note('192.0.2.1', 'telnet', 'banned');
    refusals.note('192.0.2.2', 'ssh', 'server full');
    assert.equal(log.lines.length, 2);
    assert.deepEqual(
      log.lines.map((l) => [l['remote'], l['count']]),
      [['192.0.2.1', 1], ['192.0.2.2', 1]],
    );
    now = 61_000;
    refusals.note('192.0.2.1', 'telnet', 'banned');
    // the 499 of the first minute in one line; that line opens the next window
    assert.equal(log.lines.length, 3);
    assert.equal(log.lines[2]!['count'], 499);
    for (let i = 0; i < 100; i++) refusals.note('192.0.2.1', 'rlogin', 'banned');
    refusals.close();
    const last = log.lines.at(-1)!;
    assert.equal(last['remote'], '192.0.2.1');
    assert.equal(last['count'], 101);
    assert.equal(last['protocol'], 'telnet,rlogin');
  });

  it('escapes nothing it does not have to: addresses only, never client text', () => {
    const log = createMemoryLogger();
    const refusals = new RefusalLog(log);
    refusals.note('192.0.2.1', 'telnet', 'too many connections from your address');
    refusals.close();
    assert.deepEqual(Object.keys(log.lines[0]!).sort(), ['count', 'event', 'level', 'protocol', 'reason', 'remote', 't']);
  });
});
