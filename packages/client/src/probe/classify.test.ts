import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyBanner, classifyHttpReply, classifyRloginReply } from './classify.js';

describe('naming a service by what it says', () => {
  it('names telnet by its negotiation and lists the options it asks', () => {
    const banner = Buffer.from([255, 251, 1, 255, 253, 24, 255, 250, 24, 1, 255, 240, 0x48, 0x69]);
    assert.deepEqual(classifyBanner(banner), { service: 'telnet', detail: 'asks WILL ECHO, DO TTYPE, SB TTYPE' });
  });

  it('names SSH by its identification line', () => {
    assert.deepEqual(classifyBanner(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n')), { service: 'ssh', detail: 'SSH-2.0-OpenSSH_9.6' });
  });

  it('calls anything else unknown, quoting its first line with control bytes escaped', () => {
    assert.deepEqual(classifyBanner(Buffer.from('220 mail ESMTP\x1b[2J\r\nmore')), { service: 'unknown', detail: 'says "220 mail ESMTP\\x1b[2J"' });
  });

  it('names HTTP by a status line, with the server header when there is one', () => {
    assert.deepEqual(classifyHttpReply(Buffer.from('HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n')), { service: 'http', detail: 'HTTP/1.1 200 OK (nginx)' });
    assert.equal(classifyHttpReply(Buffer.from('500 no')), undefined);
  });

  it('names rlogin by the NUL that accepts a handshake', () => {
    assert.equal(classifyRloginReply(Buffer.from([0, 0x6c]))?.service, 'rlogin');
    assert.equal(classifyRloginReply(Buffer.from('no')), undefined);
    assert.equal(classifyRloginReply(Buffer.alloc(0)), undefined);
  });
});
