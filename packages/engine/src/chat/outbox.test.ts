import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { FloodGate } from '../social/flood-gate.js';
import { ChatOutbox, OUTBOX_AHEAD, OUTBOX_CHARS, OUTBOX_LINES, type OutboxLine } from './outbox.js';

function room(rate: number, burst: number) {
  const gate = new FloodGate(rate, burst);
  const sent: string[] = [];
  let muted = false;
  const outbox = new ChatOutbox({
    allowLine: () => gate.allow('alice', Date.now()),
    msUntilLine: () => gate.msUntil('alice', Date.now()),
    mayTalk: () => !muted,
    send: (l: OutboxLine) => sent.push(l.text),
    changed: () => undefined,
  });
  return { outbox, sent, mute: () => (muted = true) };
}

describe('ChatOutbox', () => {
  it('sends the burst at once and the rest at the rate, every line once and in order', async () => {
    const { outbox, sent } = room(40, 3);
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i}`);
    const results = lines.map((text) => outbox.say({ kind: 'say', text }));
    assert.deepEqual(results.slice(0, 4), ['sent', 'sent', 'sent', 'waiting']);
    assert.ok(!results.includes('full'));
    await eventually(() => sent.length === 12, 'every line sent');
    assert.deepEqual(sent, lines);
    assert.equal(outbox.waiting, 0);
  });

  it(`waits at most ${OUTBOX_LINES} lines and ${OUTBOX_CHARS} characters; the rest is counted as not sent`, () => {
    const { outbox } = room(0.001, 1);
    outbox.say({ kind: 'say', text: 'first' });
    for (let i = 0; i < OUTBOX_LINES + 7; i++) outbox.say({ kind: 'say', text: `l${i}` });
    assert.equal(outbox.waiting, OUTBOX_LINES);
    assert.equal(outbox.unsent, 7);
    assert.equal(outbox.drop(), OUTBOX_LINES);
    assert.equal(outbox.unsent, 0);
    const long = 'x'.repeat(1000);
    let kept = 0;
    while (outbox.say({ kind: 'say', text: long }) === 'waiting') kept++;
    assert.equal(kept, Math.floor(OUTBOX_CHARS / 1000));
    assert.equal(outbox.takeUnsent(), 1);
    outbox.drop();
  });

  it('a mute drops what waits', async () => {
    const { outbox, sent, mute } = room(100, 1);
    for (let i = 0; i < 5; i++) outbox.say({ kind: 'me', text: `m${i}` });
    mute();
    await eventually(() => outbox.waiting === 0, 'the waiting lines dropped');
    assert.ok(sent.length < 5);
  });

  it(`a private message or broadcast goes out ahead of the lines waiting, at the rate; at most ${OUTBOX_AHEAD} wait so`, async () => {
    const { outbox, sent } = room(40, 1);
    for (let i = 0; i < 6; i++) outbox.say({ kind: 'say', text: `p${i}` });
    assert.equal(outbox.say({ kind: 'private', to: 'bob', text: 'psst' }), 'waiting');
    assert.equal(outbox.say({ kind: 'me', text: 'waves' }), 'waiting');
    await eventually(() => sent.length === 8, 'every line sent');
    assert.deepEqual(sent, ['p0', 'psst', 'p1', 'p2', 'p3', 'p4', 'p5', 'waves']);
    const slow = room(0.001, 1);
    slow.outbox.say({ kind: 'say', text: 'first' });
    for (let i = 0; i < OUTBOX_AHEAD; i++) assert.equal(slow.outbox.say({ kind: 'broadcast', text: `b${i}` }), 'waiting');
    assert.equal(slow.outbox.say({ kind: 'private', to: 'bob', text: 'one more' }), 'full');
    assert.equal(slow.outbox.unsent, 0, 'told at once, not counted with the paste');
    slow.outbox.clear();
  });

  it('drop (Esc, Ctrl-C) forgets the lines to the room but a private message still goes; clear forgets it too', async () => {
    const { outbox, sent } = room(40, 1);
    outbox.say({ kind: 'say', text: 'first' });
    for (let i = 0; i < 5; i++) outbox.say({ kind: 'say', text: `p${i}` });
    outbox.say({ kind: 'private', to: 'bob', text: 'psst' });
    assert.equal(outbox.drop(), 5);
    await eventually(() => outbox.waiting === 0, 'the private message sent');
    assert.deepEqual(sent, ['first', 'psst']);
    const slow = room(0.001, 1);
    slow.outbox.say({ kind: 'say', text: 'first' });
    slow.outbox.say({ kind: 'say', text: 'second' });
    slow.outbox.say({ kind: 'private', to: 'bob', text: 'psst' });
    assert.equal(slow.outbox.clear(), 2);
    assert.equal(slow.outbox.waiting, 0);
  });
});
