import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand, parseRawText } from './commands.js';

describe('command mode commands', () => {
  it('reads open with and without a port', () => {
    assert.deepEqual(parseCommand('open bbs.example.org 2323'), { kind: 'open', host: 'bbs.example.org', port: 2323 });
    assert.deepEqual(parseCommand(' o localhost '), { kind: 'open', host: 'localhost', port: 23 });
    assert.equal(parseCommand('open host 70000').kind, 'error');
    assert.equal(parseCommand('open').kind, 'error');
  });

  it('keeps the text of send raw exactly, spaces included', () => {
    assert.deepEqual(parseCommand('send raw  GET / HTTP/1.0'), { kind: 'send-raw', text: ' GET / HTTP/1.0' });
    assert.deepEqual(parseCommand('send raw'), { kind: 'send-raw', text: undefined });
    assert.equal(parseCommand('send ayt').kind, 'error');
  });

  it('reads log, history, quit, help and an empty line', () => {
    assert.deepEqual(parseCommand('log /tmp/my session.log'), { kind: 'log', file: '/tmp/my session.log' });
    assert.deepEqual(parseCommand('log off'), { kind: 'log', file: undefined });
    assert.deepEqual(parseCommand('history 5'), { kind: 'history', limit: 5 });
    assert.deepEqual(parseCommand('history'), { kind: 'history', limit: 20 });
    assert.deepEqual(parseCommand('quit'), { kind: 'quit' });
    assert.deepEqual(parseCommand('?'), { kind: 'help' });
    assert.deepEqual(parseCommand('   '), { kind: 'resume' });
    assert.equal(parseCommand('format c:').kind, 'error');
  });
});

describe('send raw text', () => {
  const latin1 = (s: string) => Buffer.from(s, 'latin1');

  it('turns escapes into exact bytes and encodes the rest', () => {
    assert.deepEqual([...(parseRawText('\\xff\\xf6', latin1) as Buffer)], [0xff, 0xf6]);
    assert.deepEqual((parseRawText('hi\\r\\n\\e[0m\\\\\\0', latin1) as Buffer).toString('latin1'), 'hi\r\n\x1b[0m\\\0');
    assert.deepEqual(parseRawText('é', (s) => Buffer.from(s, 'utf8')), Buffer.from([0xc3, 0xa9]));
  });

  it('refuses a malformed escape instead of guessing', () => {
    assert.ok('error' in (parseRawText('\\xZZ', latin1) as object));
    assert.ok('error' in (parseRawText('tail\\', latin1) as object));
  });
});
