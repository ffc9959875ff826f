import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLOGIN_MAX_FIELD_BYTES, RloginHandshakeParser, type RloginHandshakeStep } from './handshake.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const NETKIT = bytes('\0root\0bob\0xterm/38400\0');

/** Feed `input` in the given pieces and return every step. */
function feed(pieces: Buffer[]): { steps: RloginHandshakeStep[]; parser: RloginHandshakeParser } {
  const parser = new RloginHandshakeParser();
  const steps: RloginHandshakeStep[] = [];
  for (const p of pieces) {
    const step = parser.push(p);
    steps.push(step);
    if (step.done || step.error) break;
  }
  return { steps, parser };
}
const splitAt = (b: Buffer, i: number): Buffer[] => [b.subarray(0, i), b.subarray(i)];
const byteByByte = (b: Buffer): Buffer[] => [...b].map((x) => Buffer.from([x]));
const last = (steps: RloginHandshakeStep[]): RloginHandshakeStep => steps[steps.length - 1]!;

describe('RloginHandshakeParser', () => {
  it('reads the netkit handshake whole, split at every position, and byte by byte', () => {
    const splits = [[NETKIT], ...Array.from({ length: NETKIT.length - 1 }, (_, i) => splitAt(NETKIT, i + 1)), byteByByte(NETKIT)];
    for (const pieces of splits) {
      const { steps } = feed(pieces);
      assert.deepEqual(last(steps), {
        done: true,
        clientUser: 'root',
        serverUser: 'bob',
        terminalType: 'xterm',
        speed: 38400,
        terminalField: 'xterm/38400',
        rest: Buffer.alloc(0),
      });
      for (const s of steps.slice(0, -1)) assert.deepEqual(s, { done: false });
    }
  });

  it('is not done until the final NUL arrives', () => {
    for (let i = 0; i < NETKIT.length; i++) {
      assert.deepEqual(new RloginHandshakeParser().push(NETKIT.subarray(0, i)), { done: false }, `prefix of ${i} bytes`);
    }
  });

  it('hands back the bytes that followed the handshake in the same read as the first input', () => {
    const step = new RloginHandshakeParser().push(Buffer.concat([NETKIT, bytes('\r\xff\0second')]));
    assert.equal(step.done, true);
    assert.deepEqual(step.done && step.rest, bytes('\r\xff\0second'));
  });

  it('treats a second handshake after the first as input, not as a handshake', () => {
    const step = new RloginHandshakeParser().push(Buffer.concat([NETKIT, NETKIT]));
    assert.deepEqual(step.done && step.rest, NETKIT);
  });

  it('reads netkit without a tty, which sends no speed', () => {
    const step = new RloginHandshakeParser().push(bytes('\0root\0bob\0xterm-256color\0'));
    assert.equal(step.done && step.terminalType, 'xterm-256color');
    assert.equal(step.done && step.speed, undefined);
  });

  it('tolerates a leading duplicate NUL from door-server connectors, at every split', () => {
    const input = bytes('\0\0pw\0bob\0xtrn=LORD\0');
    for (let i = 1; i < input.length; i++) {
      const step = last(feed(splitAt(input, i)).steps);
      assert.equal(step.done, true, `split at ${i}`);
      if (!step.done) continue;
      assert.equal(step.clientUser, 'pw');
      assert.equal(step.serverUser, 'bob');
      assert.equal(step.terminalField, 'xtrn=LORD');
    }
  });

  it('reads an empty client-user (SyncTERM with no password) as a normal handshake, not a duplicate NUL', () => {
    const step = new RloginHandshakeParser().push(bytes('\0\0bob\0syncterm/115200\0'));
    assert.equal(step.done, true);
    if (!step.done) return;
    assert.equal(step.clientUser, '');
    assert.equal(step.serverUser, 'bob');
    assert.equal(step.terminalType, 'syncterm');
    assert.equal(step.speed, 115200);
  });

  it('settles an ambiguous empty client-user with no speed as a normal handshake when no fourth field comes', () => {
    const parser = new RloginHandshakeParser();
    assert.deepEqual(parser.push(bytes('\0\0bob\0xterm\0')), { done: false });
    assert.equal(parser.canFinishWithoutFinalNul, true);
    const step = parser.finishWithoutFinalNul();
    assert.equal(step.done, true);
    if (!step.done) return;
    assert.deepEqual([step.clientUser, step.serverUser, step.terminalType], ['', 'bob', 'xterm']);
  });

  it('ends a terminal field with no final NUL at the first control byte, which is input (old SyncTERM)', () => {
    const input = bytes('\0pw\0bob\0syncterm/115200\rjoe');
    for (const pieces of [[input], byteByByte(input)]) {
      const { steps } = feed(pieces);
      const step = last(steps);
      assert.equal(step.done, true);
      if (!step.done) continue;
      assert.equal(step.terminalField, 'syncterm/115200');
      assert.deepEqual(step.rest, pieces.length === 1 ? bytes('\rjoe') : bytes('\r'));
    }
  });

  it('lets the server finish a handshake that lacks its final NUL once the terminal field has begun', () => {
    const parser = new RloginHandshakeParser();
    parser.push(bytes('\0pw\0bob\0'));
    assert.equal(parser.canFinishWithoutFinalNul, false, 'no terminal bytes yet');
    assert.deepEqual(parser.finishWithoutFinalNul(), { done: false });
    parser.push(bytes('ansi/9600'));
    assert.equal(parser.canFinishWithoutFinalNul, true);
    const step = parser.finishWithoutFinalNul();
    assert.equal(step.done && step.terminalField, 'ansi/9600');
    assert.equal(step.done && step.clientUser, 'pw');
  });

  it('cannot be finished early before the server-user field is complete', () => {
    const parser = new RloginHandshakeParser();
    parser.push(bytes('\0pw\0bo'));
    assert.equal(parser.canFinishWithoutFinalNul, false);
    assert.deepEqual(parser.finishWithoutFinalNul(), { done: false });
  });

  it(`accepts fields of ${RLOGIN_MAX_FIELD_BYTES} bytes and refuses one byte more in every field`, () => {
    const max = 'a'.repeat(RLOGIN_MAX_FIELD_BYTES);
    const over = max + 'a';
    assert.equal(new RloginHandshakeParser().push(bytes(`\0${max}\0${max}\0${max}\0`)).done, true);
    for (const input of [`\0${over}\0bob\0ansi/9600\0`, `\0pw\0${over}\0ansi/9600\0`, `\0pw\0bob\0${over}\0`]) {
      assert.deepEqual(new RloginHandshakeParser().push(bytes(input)), { done: false, error: 'RLOGIN_FIELD_TOO_LONG' });
    }
  });

  it('refuses an unterminated field as soon as it passes the limit, without waiting for more', () => {
    const parser = new RloginHandshakeParser();
    const step = parser.push(Buffer.concat([bytes('\0'), Buffer.alloc(10_000, 0x41)]));
    assert.deepEqual(step, { done: false, error: 'RLOGIN_FIELD_TOO_LONG' });
  });

  it('refuses what cannot be a handshake at the first byte: HTTP, a TLS ClientHello, an SSH version line', () => {
    const notRlogin = [
      bytes('GET / HTTP/1.1\r\nHost: bbs\r\n\r\n'),
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
      bytes('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n'),
    ];
    for (const input of notRlogin) {
      assert.deepEqual(new RloginHandshakeParser().push(input.subarray(0, 1)), { done: false, error: 'RLOGIN_NOT_A_HANDSHAKE' });
    }
  });

  it('refuses control bytes inside a user name', () => {
    assert.deepEqual(new RloginHandshakeParser().push(bytes('\0ro\not\0bob\0ansi\0')), { done: false, error: 'RLOGIN_CONTROL_BYTE' });
    assert.deepEqual(new RloginHandshakeParser().push(bytes('\0pw\0b\x1b[2Job\0ansi\0')), { done: false, error: 'RLOGIN_CONTROL_BYTE' });
  });

  it('keeps answering the same error after one', () => {
    const parser = new RloginHandshakeParser();
    parser.push(bytes('G'));
    assert.deepEqual(parser.push(NETKIT), { done: false, error: 'RLOGIN_NOT_A_HANDSHAKE' });
  });

  it('decodes names as UTF-8 when they are, and as CP437 otherwise', () => {
    const utf8 = new RloginHandshakeParser().push(Buffer.concat([bytes('\0x\0'), Buffer.from('Jörg', 'utf8'), bytes('\0ansi\0')]));
    assert.equal(utf8.done && utf8.serverUser, 'Jörg');
    const cp437 = new RloginHandshakeParser().push(bytes('\0x\0J\x94rg\0ansi\0'));
    assert.equal(cp437.done && cp437.serverUser, 'Jörg');
  });

  it('treats a push after completion as a caller bug', () => {
    const parser = new RloginHandshakeParser();
    parser.push(NETKIT);
    assert.throws(() => parser.push(bytes('x')), /after the handshake completed/);
  });
});
