import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RloginHandshakeParser, type RloginHandshake } from './handshake.js';
import { rloginTerminal } from './terminal.js';

const handshake = (field: string): RloginHandshake => {
  const step = new RloginHandshakeParser().push(Buffer.from(`\0u\0bob\0${field}\0`, 'latin1'));
  assert.equal(step.done, true);
  return step as RloginHandshake;
};

describe('rloginTerminal', () => {
  it('lowercases the terminal type and takes the encoding from the same table as telnet', () => {
    assert.deepEqual(rloginTerminal(handshake('ANSI-BBS/115200')), {
      protocol: 'rlogin',
      type: 'ansi-bbs',
      types: ['ansi-bbs'],
      env: { RLOGIN_TERM: 'ANSI-BBS/115200' },
      encoding: 'cp437',
      encodingSource: 'ttype',
    });
    const xterm = rloginTerminal(handshake('xterm-256color/38400'));
    assert.deepEqual([xterm.encoding, xterm.encodingSource], ['utf8', 'ttype']);
  });

  it('leaves size and an unknown type’s encoding for the engine to probe', () => {
    const t = rloginTerminal(handshake('vt100/9600'));
    assert.equal(t.type, 'vt100');
    assert.equal(t.encoding, undefined);
    assert.equal(t.cols, undefined);
    assert.equal(t.sizeSource, undefined);
  });

  it('keeps a door server’s xtrn= field only as RLOGIN_TERM, not as a terminal type', () => {
    const t = rloginTerminal(handshake('xtrn=LORD'));
    assert.equal(t.type, 'unknown');
    assert.deepEqual(t.types, []);
    assert.deepEqual(t.env, { RLOGIN_TERM: 'xtrn=LORD' });
  });

  it('makes an empty field an unknown terminal with no env', () => {
    const t = rloginTerminal(handshake(''));
    assert.equal(t.type, 'unknown');
    assert.deepEqual(t.env, {});
  });
});
