import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLogger } from '@carrier/core';
import { InProcessBus } from '../bus.js';
import type { PresenceEntry } from '../topics.js';
import { chatDirectory, type RoomMembers } from './room-directory.js';

function entry(sessionId: string, room: string | undefined, handle: string | null = sessionId): PresenceEntry {
  return {
    sessionId,
    node: 1,
    handle,
    protocol: 'telnet',
    activity: 'chat',
    connectedAt: 0,
    lastInputAt: Date.now(),
    remoteAddress: '127.0.0.1',
    terminal: { type: 'ansi', cols: 80, rows: 24, encoding: 'cp437' },
    processId: 'p',
    ...(room === undefined ? {} : { room }),
  };
}

/** A view as chat-room.ts keeps one: members from the directory, updates counted. */
function view(bus: InProcessBus, sessionId: string, room: string, others: string[]) {
  const dir = chatDirectory(bus);
  const heard: string[] = [];
  const v = {
    sessionId,
    members: undefined as unknown as RoomMembers,
    presenceUpdated(e: PresenceEntry) {
      heard.push(e.sessionId);
      if (e.sessionId === sessionId) return;
      if (e.room === room && !v.members.has(e.sessionId) && e.handle !== null) v.members.set(e.sessionId, { handle: e.handle, node: e.node });
      else if (e.room !== room && v.members.has(e.sessionId)) v.members.delete(e.sessionId);
    },
  };
  v.members = dir.members(v);
  v.members.reset(room);
  v.members.set(sessionId, { handle: sessionId, node: 1 });
  for (const o of others) v.members.set(o, { handle: o, node: 1 });
  const close = dir.open(v);
  return { v, heard, close };
}

test('an update that changes no view (a speaker idle time refreshed) reaches no view', () => {
  const bus = new InProcessBus(createMemoryLogger());
  const a = view(bus, 'a', 'lobby', ['b', 'c']);
  const b = view(bus, 'b', 'lobby', ['a', 'c']);
  bus.publish('presence.update', entry('c', 'lobby'));
  bus.publish('presence.update', entry('a', 'lobby'));
  bus.publish('presence.update', entry('x', undefined)); // a caller outside chat, held by none
  assert.deepEqual([a.heard, b.heard], [[], []]);
});

test('a caller a view missed is added, and one who moved rooms is dropped, by every view concerned', () => {
  const bus = new InProcessBus(createMemoryLogger());
  const a = view(bus, 'a', 'lobby', ['c']);
  const b = view(bus, 'b', 'lobby', ['a', 'c']);
  // a missed b's join: b's update adds b to a's members.
  bus.publish('presence.update', entry('b', 'lobby'));
  assert.equal(a.v.members.has('b'), true);
  assert.ok(a.heard.includes('b'));
  // Now everyone holds everyone: the same update again reaches nobody.
  a.heard.length = 0;
  b.heard.length = 0;
  bus.publish('presence.update', entry('b', 'lobby'));
  assert.deepEqual([a.heard, b.heard], [[], []]);
  // c moves to another room: both views drop c.
  bus.publish('presence.update', entry('c', 'games'));
  assert.deepEqual([a.v.members.has('c'), b.v.members.has('c')], [false, false]);
  // c leaves chat altogether (no room): nobody holds c, nothing to do.
  a.heard.length = 0;
  bus.publish('presence.update', entry('c', undefined));
  assert.deepEqual(a.heard, []);
  // A caller still logging in (no handle) is not added.
  bus.publish('presence.update', entry('d', 'lobby', null));
  assert.equal(a.v.members.has('d'), false);
});

test('a view that leaves its room stops counting; the last view closing unsubscribes', () => {
  const bus = new InProcessBus(createMemoryLogger());
  const a = view(bus, 'a', 'lobby', ['c']);
  const b = view(bus, 'b', 'lobby', ['c']);
  b.v.members.reset(null);
  b.close();
  // Only a is in the lobby now, and it holds c: nothing to do.
  bus.publish('presence.update', entry('c', 'lobby'));
  assert.deepEqual([a.heard, b.heard], [[], []]);
  // b's caller is in the lobby but a does not hold b: a is told.
  bus.publish('presence.update', entry('b', 'lobby'));
  assert.deepEqual(a.heard, ['b']);
  a.v.members.reset(null);
  a.close();
  bus.publish('presence.update', entry('e', 'lobby'));
  assert.deepEqual(a.heard, ['b']);
  assert.equal(chatDirectory(bus).concerns(entry('e', 'lobby')), false);
});
