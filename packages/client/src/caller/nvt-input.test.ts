import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enterMode, localEcho, nvtEnter } from './nvt-input.js';

describe('keys on their way to the board', () => {
  it('sends Enter as CR NUL to an echoing server outside BINARY, as inetutils does, and as typed inside it', () => {
    assert.deepEqual([...nvtEnter(Buffer.from('ok\r'), 'character')], [0x6f, 0x6b, 0x0d, 0x00]);
    assert.deepEqual([...nvtEnter(Buffer.from('a\r\nb'), 'character')], [0x61, 0x0d, 0x0a, 0x62]);
    assert.deepEqual([...nvtEnter(Buffer.from('ok\r'), 'binary')], [0x6f, 0x6b, 0x0d]);
  });

  it('sends Enter as CR LF to a line service that does not echo (SMTP-like), as inetutils does', () => {
    assert.deepEqual([...nvtEnter(Buffer.from('HELO x\r'), 'line')], [...Buffer.from('HELO x\r\n')]);
    assert.deepEqual([...nvtEnter(Buffer.from('a\r\n'), 'line')], [0x61, 0x0d, 0x0a]);
  });

  it('picks the mode from BINARY and the server echo', () => {
    assert.equal(enterMode({ binary: true, serverEchoes: false }), 'binary');
    assert.equal(enterMode({ binary: false, serverEchoes: true }), 'character');
    assert.equal(enterMode({ binary: false, serverEchoes: false }), 'line');
  });

  it('echoes locally for a server that does not, with Enter as a new line', () => {
    assert.equal(localEcho('HELO x\r'), 'HELO x\r\n');
    assert.equal(localEcho('ab\x7f\x07'), 'ab\b \b');
  });
});
