import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '@carrier/core';
import { InProcessBus } from './bus.js';
import type { PresenceEntry } from './presence.js';
import { isTopic, TOPIC_NAMES } from './topics.js';

function entry(sessionId: string, node: number, extra: Partial<PresenceEntry> = {}): PresenceEntry {
  return {
    sessionId,
    node,
    handle: null,
    protocol: 'telnet',
    activity: 'logging in',
    connectedAt: 1,
    lastInputAt: 1,
    remoteAddress: '192.0.2.1',
    terminal: { type: 'ansi', cols: 80, rows: 25, encoding: 'cp437' },
    processId: 'test:1',
    ...extra,
  };
}

describe('InProcessBus', () => {
  it('delivers a payload to every subscriber of its topic and to no other topic', () => {
    const bus = new InProcessBus(createMemoryLogger());
    const got: string[] = [];
    bus.subscribe('broadcast', (p) => got.push(`a:${p.text}`));
    bus.subscribe('broadcast', (p) => got.push(`b:${p.text}`));
    bus.subscribe('chat.line', (p) => got.push(`chat:${p.text}`));
    bus.publish('broadcast', { from: 'sysop', text: 'hello', at: 1 });
    assert.deepEqual(got, ['a:hello', 'b:hello']);
  });

  it('a subscriber that throws is logged and the others still receive the message', () => {
    const log = createMemoryLogger();
    const bus = new InProcessBus(log);
    const got: string[] = [];
    bus.subscribe('broadcast', () => {
      throw new Error('subscriber bug');
    });
    bus.subscribe('broadcast', (p) => got.push(p.text));
    assert.doesNotThrow(() => bus.publish('broadcast', { from: 'x', text: 'still here', at: 1 }));
    assert.deepEqual(got, ['still here']);
    const failures = log.lines.filter((l) => l['event'] === 'bus.subscriber_failed');
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!['topic'], 'broadcast');
  });

  it('a subscriber whose promise rejects is logged, not an unhandled rejection', async () => {
    const log = createMemoryLogger();
    const bus = new InProcessBus(log);
    bus.subscribe('broadcast', async () => {
      throw new Error('async bug');
    });
    bus.publish('broadcast', { from: 'x', text: 'y', at: 1 });
    await new Promise((r) => setImmediate(r));
    assert.equal(log.lines.filter((l) => l['event'] === 'bus.subscriber_failed').length, 1);
  });

  it('unsubscribe stops delivery, even from inside a delivery', () => {
    const bus = new InProcessBus(createMemoryLogger());
    const got: string[] = [];
    let offB = (): void => undefined;
    const offA = bus.subscribe('broadcast', () => {
      got.push('a');
      offB();
    });
    offB = bus.subscribe('broadcast', () => got.push('b'));
    bus.publish('broadcast', { from: 'x', text: '1', at: 1 });
    offA();
    bus.publish('broadcast', { from: 'x', text: '2', at: 1 });
    assert.deepEqual(got, ['a']);
  });

  it('each delivery is a copy: a subscriber mutating its payload cannot change what the next one sees', () => {
    const bus = new InProcessBus(createMemoryLogger());
    const original = { from: 'sysop', text: 'intact', at: 1 };
    let second = '';
    bus.subscribe('broadcast', (p) => {
      p.text = 'tampered';
    });
    bus.subscribe('broadcast', (p) => (second = p.text));
    bus.publish('broadcast', original);
    assert.equal(original.text, 'intact');
    // subscribers share one copy per publish; the publisher's object is never touched
    assert.equal(second, 'tampered');
  });

  it('lists each topic once, by name', () => {
    assert.ok(TOPIC_NAMES.includes('presence.join'));
    assert.ok(TOPIC_NAMES.includes('session.disconnect'));
    assert.equal(new Set(TOPIC_NAMES).size, TOPIC_NAMES.length);
    assert.equal(isTopic('chat.line'), true);
    assert.equal(isTopic('toString'), false);
  });
});

describe('InProcessPresence', () => {
  it('hands out the lowest free node and reuses a node after its caller leaves', async () => {
    const { presence } = new InProcessBus(createMemoryLogger());
    assert.equal(await presence.claimNode('a'), 1);
    assert.equal(await presence.claimNode('b'), 2);
    assert.equal(await presence.claimNode('c'), 3);
    await presence.update(entry('b', 2));
    await presence.remove('b');
    assert.equal(await presence.claimNode('d'), 2);
    assert.equal(await presence.claimNode('e'), 4);
    assert.equal(await presence.claimNode('a'), 1, 'a second claim by the same session keeps its node');
  });

  it('publishes join, then update, then leave, and the snapshot follows', async () => {
    const bus = new InProcessBus(createMemoryLogger());
    const seen: string[] = [];
    bus.subscribe('presence.join', (e) => seen.push(`join ${e.sessionId} node ${e.node}`));
    bus.subscribe('presence.update', (e) => seen.push(`update ${e.sessionId} ${e.handle}`));
    bus.subscribe('presence.leave', (e) => seen.push(`leave ${e.sessionId} node ${e.node}`));
    const node = await bus.presence.claimNode('s1');
    await bus.presence.update(entry('s1', node));
    await bus.presence.update(entry('s1', node, { handle: 'Ann' }));
    assert.deepEqual(
      (await bus.presence.snapshot()).map((e) => e.handle),
      ['Ann'],
    );
    await bus.presence.remove('s1');
    await bus.presence.remove('s1');
    assert.deepEqual(seen, ['join s1 node 1', 'update s1 Ann', 'leave s1 node 1']);
    assert.deepEqual(await bus.presence.snapshot(), []);
  });

  it('an entry cannot claim a node it does not hold', async () => {
    const { presence } = new InProcessBus(createMemoryLogger());
    await presence.claimNode('a');
    await presence.update(entry('b', 1));
    const nodes = (await presence.snapshot()).map((e) => e.node);
    assert.deepEqual(nodes, [2]);
  });
});
