import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TerminalTypeCycle, parseMtts, parseTtype } from './ttype.js';

/** Feed answers until the cycle stops asking; returns how many answers it read. */
function cycle(answers: (string | Buffer)[]): { c: TerminalTypeCycle; read: number } {
  const c = new TerminalTypeCycle();
  let read = 0;
  for (const a of answers) {
    read++;
    if (!c.accept(Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1'))) break;
  }
  return { c, read };
}

describe('TTYPE messages', () => {
  it('parses IS <name> and SEND', () => {
    assert.deepEqual(parseTtype(Buffer.from('\x00ANSI', 'latin1')), { kind: 'is', name: Buffer.from('ANSI') });
    assert.deepEqual(parseTtype(Buffer.from([1])), { kind: 'send' });
  });

  it('rejects empty and unknown bodies', () => {
    assert.equal(parseTtype(Buffer.alloc(0)), undefined);
    assert.equal(parseTtype(Buffer.from([7, 1])), undefined);
  });

  it('reads MTTS bits only from an exact "MTTS <number>"', () => {
    assert.equal(parseMtts(Buffer.from('MTTS 137')), 137);
    assert.equal(parseMtts(Buffer.from('mtts 5\x00')), 5);
    assert.equal(parseMtts(Buffer.from('MTTS')), undefined);
    assert.equal(parseMtts(Buffer.from('MTTS 1x')), undefined);
    assert.equal(parseMtts(Buffer.from('XTERM')), undefined);
  });
});

describe('TTYPE cycling', () => {
  it('stops when inetutils repeats XTERM-256COLOR, lowercased', () => {
    const { c, read } = cycle(['XTERM-256COLOR', 'XTERM-256COLOR', 'never asked']);
    assert.equal(read, 2);
    assert.deepEqual(c.answers, ['xterm-256color']);
    assert.equal(c.type, 'xterm-256color');
    assert.equal(c.done, true);
  });

  it('walks MS telnet ANSI, VT100, VT52, VTNT and stops when it wraps back to ANSI, which it then uses', () => {
    const { c, read } = cycle(['ANSI', 'VT100', 'VT52', 'VTNT', 'ANSI', 'VT100']);
    assert.equal(read, 5);
    assert.deepEqual(c.answers, ['ansi', 'vt100', 'vt52', 'vtnt']);
    assert.equal(c.type, 'ansi');
  });

  it('stops when the last answer repeats (end of list)', () => {
    const { c } = cycle(['ANSI', 'VT100', 'VT100']);
    assert.deepEqual(c.answers, ['ansi', 'vt100']);
    assert.equal(c.type, 'vt100');
  });

  it('strips the NUL that NetRunner puts after its name', () => {
    const { c } = cycle([Buffer.from('ansi-bbs\x00', 'latin1'), Buffer.from('ansi-bbs\x00', 'latin1')]);
    assert.deepEqual(c.answers, ['ansi-bbs']);
  });

  it('stops after 8 distinct answers', () => {
    const { c, read } = cycle(Array.from({ length: 20 }, (_, i) => `T${i}`));
    assert.equal(read, 8);
    assert.equal(c.answers.length, 8);
    assert.equal(c.type, 't7');
  });

  it('stops on an empty answer and keeps the last real one', () => {
    const { c, read } = cycle(['SYNCTERM', '', 'x']);
    assert.equal(read, 2);
    assert.equal(c.type, 'syncterm');
  });

  it('stops at a third answer of MTTS, keeping the second as the type', () => {
    const { c, read } = cycle(['MUDLET', 'ANSI-256COLOR', 'MTTS 137', 'x']);
    assert.equal(read, 3);
    assert.equal(c.mtts, 137);
    assert.deepEqual(c.answers, ['mudlet', 'ansi-256color', 'mtts 137']);
    assert.equal(c.type, 'ansi-256color');
  });

  it('does not read MTTS from the first or second answer', () => {
    const { c } = cycle(['MTTS 4', 'MTTS 4']);
    assert.equal(c.mtts, undefined);
  });

  it('caps a 1 KiB name and strips escape sequences, newlines and non-ASCII', () => {
    const { c } = cycle([Buffer.concat([Buffer.from('\x1b[31mEVIL\r\nTYPE\xff\xfe'), Buffer.alloc(1024, 0x41)])]);
    assert.equal(c.type!.length, 40);
    assert.match(c.type!, /^\[31mevilt/);
    assert.doesNotMatch(c.type!, /[\x00-\x20\x7f-\xff]/);
  });

  it('reads nothing after it stopped', () => {
    const c = new TerminalTypeCycle();
    c.stop();
    assert.equal(c.accept(Buffer.from('ANSI')), false);
    assert.equal(c.type, undefined);
  });
});
