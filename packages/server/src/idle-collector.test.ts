import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { IDLE_CHECKS_BEFORE_COLLECT, IdleCollector, YOUNG_GENERATION_GROWN_BYTES } from './idle-collector.js';

const MiB = 1024 * 1024;

function board(start: { callers: number; young: number }) {
  const state = { ...start, collections: 0 };
  const log = createMemoryLogger();
  const collector = new IdleCollector({
    callers: () => state.callers,
    youngGenerationBytes: () => state.young,
    collect: () => {
      state.collections++;
      state.young = MiB; // what V8 does when the board is quiet
    },
    log,
  });
  const checks = (n: number) => Array.from({ length: n }, () => collector.check());
  return { state, collector, checks, log };
}

describe('IdleCollector', () => {
  it('collects once the board has been empty for the quiet checks and the young generation is grown', () => {
    const b = board({ callers: 0, young: 16 * MiB });
    assert.deepEqual(b.checks(IDLE_CHECKS_BEFORE_COLLECT + 2), [...Array(IDLE_CHECKS_BEFORE_COLLECT - 1).fill(false), true, false, false]);
    assert.equal(b.state.collections, 1);
    assert.equal(b.log.lines.find((l) => l.event === 'memory.idle_collect')?.youngBytes, 16 * MiB);
  });

  it('never collects while anyone is connected', () => {
    const b = board({ callers: 1, young: 16 * MiB });
    b.checks(10);
    assert.equal(b.state.collections, 0);
  });

  it('leaves a young generation V8 has already shrunk alone', () => {
    const b = board({ callers: 0, young: YOUNG_GENERATION_GROWN_BYTES });
    b.checks(10);
    assert.equal(b.state.collections, 0);
  });

  it('tries at most twice in one quiet spell when V8 keeps the young generation', () => {
    let collections = 0;
    const keeps = new IdleCollector({ callers: () => 0, youngGenerationBytes: () => 16 * MiB, collect: () => collections++, log: createMemoryLogger() });
    for (let i = 0; i < 20; i++) keeps.check();
    assert.equal(collections, 2);
  });

  it('starts counting again after a caller, so the next quiet spell collects too', () => {
    const b = board({ callers: 0, young: 16 * MiB });
    b.checks(IDLE_CHECKS_BEFORE_COLLECT);
    assert.equal(b.state.collections, 1);
    b.state.callers = 3;
    b.state.young = 16 * MiB;
    b.checks(1);
    b.state.callers = 0;
    assert.deepEqual(b.checks(IDLE_CHECKS_BEFORE_COLLECT), [...Array(IDLE_CHECKS_BEFORE_COLLECT - 1).fill(false), true]);
    assert.equal(b.state.collections, 2);
  });
});
