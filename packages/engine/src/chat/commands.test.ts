import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChatLine, splitHandle } from './commands.js';
import { roomName } from './room-name.js';

test('plain text is said; blank lines are nothing', () => {
  assert.deepEqual(parseChatLine('  hello there '), { kind: 'say', text: 'hello there' });
  assert.deepEqual(parseChatLine('   '), { kind: 'empty' });
});

test('a double slash says a line that starts with a slash', () => {
  assert.deepEqual(parseChatLine('//etc/passwd is not here'), { kind: 'say', text: '/etc/passwd is not here' });
});

test('commands are read case-insensitively, with their short forms', () => {
  assert.deepEqual(parseChatLine('/JOIN #Retro'), { kind: 'join', room: '#Retro' });
  assert.deepEqual(parseChatLine('/j lobby'), { kind: 'join', room: 'lobby' });
  assert.deepEqual(parseChatLine('/rooms'), { kind: 'rooms' });
  assert.deepEqual(parseChatLine('/who'), { kind: 'who' });
  assert.deepEqual(parseChatLine('/q'), { kind: 'quit' });
  assert.deepEqual(parseChatLine('/?'), { kind: 'help' });
  assert.deepEqual(parseChatLine('/me waves hello'), { kind: 'me', text: 'waves hello' });
  assert.deepEqual(parseChatLine('/me'), { kind: 'empty' });
  assert.deepEqual(parseChatLine('/msg bob hi there'), { kind: 'msg', rest: 'bob hi there' });
  assert.deepEqual(parseChatLine('/broadcast going down at 10'), { kind: 'broadcast', text: 'going down at 10' });
  assert.deepEqual(parseChatLine('/mute bob 5'), { kind: 'mute', rest: 'bob 5' });
});

test('an unknown command is named back, cut short', () => {
  assert.deepEqual(parseChatLine('/frobnicate now'), { kind: 'unknown', name: 'frobnicate' });
  assert.equal((parseChatLine(`/${'x'.repeat(100)}`) as { name: string }).name.length, 20);
});

test('a handle with a space is found among the handles online', () => {
  const online = ['Carol Ann', 'bob'];
  assert.deepEqual(splitHandle('carol ann are you there', online), { handle: 'carol ann', text: 'are you there' });
  assert.deepEqual(splitHandle('carol where are you', online), { handle: 'carol', text: 'where are you' });
  assert.deepEqual(splitHandle('"Carol Ann" hi', []), { handle: 'Carol Ann', text: 'hi' });
  assert.deepEqual(splitHandle('', online), { handle: '', text: '' });
});

test('room names: a leading # and case do not matter; odd characters are refused', () => {
  assert.deepEqual(roomName('#Retro'), { ok: true, room: 'retro' });
  assert.equal(roomName('').ok, false);
  assert.equal(roomName('no spaces').ok, false);
  assert.equal(roomName('\x1b[2J').ok, false);
  assert.equal(roomName('x'.repeat(21)).ok, false);
});
