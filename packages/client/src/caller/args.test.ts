import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEscape, parseTelnetArgs } from './args.js';

describe('carrier telnet arguments', () => {
  it('reads host, port and the charset', () => {
    assert.deepEqual(parseTelnetArgs(['--cp437', 'bbs.example.org', '2323']), {
      kind: 'call', host: 'bbs.example.org', port: 2323, charset: 'cp437', escapeByte: 0x1d, trace: undefined,
    });
    assert.deepEqual(parseTelnetArgs([]), { kind: 'call', host: undefined, port: 23, charset: 'auto', escapeByte: 0x1d, trace: undefined });
  });

  it('reads --history with an optional count, and refuses it with a host', () => {
    assert.deepEqual(parseTelnetArgs(['--history']), { kind: 'history', limit: 20 });
    assert.deepEqual(parseTelnetArgs(['--history', '5']), { kind: 'history', limit: 5 });
    assert.ok('error' in parseTelnetArgs(['--history', 'host']));
  });

  it('refuses contradictions, unknown options and bad ports', () => {
    assert.ok('error' in parseTelnetArgs(['--cp437', '--utf8']));
    assert.ok('error' in parseTelnetArgs(['--colour']));
    assert.ok('error' in parseTelnetArgs(['host', 'telnet']));
    assert.ok('error' in parseTelnetArgs(['--escape', 'x']));
  });

  it('names escape keys the way telnet does', () => {
    assert.equal(parseEscape('^]'), 0x1d);
    assert.equal(parseEscape('^a'), 0x01);
    assert.equal(parseEscape('^?'), 0x7f);
    assert.equal(parseEscape(']'), undefined);
  });
});
