import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localEcho, nvtEnter } from './nvt-input.js';

describe('keys on their way to the board', () => {
  it('sends Enter as CR NUL outside BINARY, as inetutils does, and as typed inside it', () => {
    assert.deepEqual([...nvtEnter(Buffer.from('ok\r'), false)], [0x6f, 0x6b, 0x0d, 0x00]);
    assert.deepEqual([...nvtEnter(Buffer.from('a\r\nb'), false)], [0x61, 0x0d, 0x0a, 0x62]);
    assert.deepEqual([...nvtEnter(Buffer.from('ok\r'), true)], [0x6f, 0x6b, 0x0d]);
  });

  it('echoes locally for a server that does not, with Enter as a new line', () => {
    assert.equal(localEcho('HELO x\r'), 'HELO x\r\n');
    assert.equal(localEcho('ab\x7f\x07'), 'ab\b \b');
  });
});
