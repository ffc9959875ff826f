import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Cmd, Opt } from './constants.js';
import { TelnetDecoder, type TelnetDecoderOptions, type TelnetEvent } from './decoder.js';

const { IAC, SB, SE, WILL, WONT, DO, DONT } = Cmd;
const bytes = (...parts: (number | string)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from([p]))));

/** Adjacent data events merged, so results of different splits compare equal. */
function merged(events: TelnetEvent[]): TelnetEvent[] {
  const out: TelnetEvent[] = [];
  for (const ev of events) {
    const last = out[out.length - 1];
    if (ev.type === 'data' && last?.type === 'data') {
      out[out.length - 1] = { type: 'data', bytes: Buffer.concat([last.bytes, ev.bytes]) };
    } else {
      out.push(ev.type === 'data' ? { type: 'data', bytes: Buffer.from(ev.bytes) } : ev);
    }
  }
  return out;
}

function decode(input: Buffer | Buffer[], opts?: TelnetDecoderOptions): TelnetEvent[] {
  const d = new TelnetDecoder(opts);
  const chunks = Array.isArray(input) ? input : [input];
  return merged(chunks.flatMap((c) => d.push(c)));
}

function data(text: string | Buffer): TelnetEvent {
  return { type: 'data', bytes: typeof text === 'string' ? Buffer.from(text, 'latin1') : text };
}

/** Decoding must not depend on where the reads were split: try every split point, and byte by byte. */
function assertSplitInvariant(input: Buffer, opts?: TelnetDecoderOptions): void {
  const whole = decode(input, opts);
  for (let i = 1; i < input.length; i++) {
    assert.deepEqual(decode([input.subarray(0, i), input.subarray(i)], opts), whole, `split at ${i}`);
  }
  const single = [...input].map((b) => Buffer.from([b]));
  assert.deepEqual(decode(single, opts), whole, 'byte by byte');
}

describe('TelnetDecoder: data and commands', () => {
  it('passes plain data through as one data event per push', () => {
    const d = new TelnetDecoder();
    assert.deepEqual(d.push(Buffer.from('hello')), [data('hello')]);
  });

  it('turns IAC IAC in data into one 0xFF byte', () => {
    assert.deepEqual(decode(bytes('a', IAC, IAC, 'b')), [data(bytes('a', 0xff, 'b'))]);
  });

  it('reports WILL, WONT, DO and DONT with their option', () => {
    assert.deepEqual(decode(bytes(IAC, WILL, Opt.TTYPE, IAC, WONT, 1, IAC, DO, Opt.NAWS, IAC, DONT, 34)), [
      { type: 'command', command: WILL, option: Opt.TTYPE },
      { type: 'command', command: WONT, option: 1 },
      { type: 'command', command: DO, option: Opt.NAWS },
      { type: 'command', command: DONT, option: 34 },
    ]);
  });

  it('reports the two-byte commands NOP, DM, BRK, IP, AO, AYT, EC, EL and GA', () => {
    const cmds = [Cmd.NOP, Cmd.DM, Cmd.BRK, Cmd.IP, Cmd.AO, Cmd.AYT, Cmd.EC, Cmd.EL, Cmd.GA];
    assert.deepEqual(
      decode(Buffer.from(cmds.flatMap((c) => [IAC, c]))),
      cmds.map((command) => ({ type: 'command', command })),
    );
  });

  it('keeps data and commands in the order they arrived', () => {
    assert.deepEqual(decode(bytes('ab', IAC, Cmd.NOP, 'cd')), [
      data('ab'),
      { type: 'command', command: Cmd.NOP },
      data('cd'),
    ]);
  });

  it('drops IAC followed by an undefined command byte, pair and all, and carries on', () => {
    assert.deepEqual(decode(bytes('a', IAC, 0x41, 'b')), [
      data('a'),
      { type: 'error', code: 'UNDEFINED_COMMAND', byte: 0x41 },
      data('b'),
    ]);
  });

  it('treats a lone DM byte (inetutils "send synch" without its urgent IAC) as a no-op', () => {
    assert.deepEqual(decode(bytes('a', Cmd.DM, 'b')), [data('a'), { type: 'command', command: Cmd.DM }, data('b')]);
  });

  it('keeps a bare 0xF2 as data when told to (a client reading CP437 art, where it is "≥")', () => {
    assert.deepEqual(decode(bytes('a', 0xf2, 'b'), { dropBareDataMark: false, normalizeEnter: false }), [
      data(bytes('a', 0xf2, 'b')),
    ]);
  });

  it('ignores SE without SB', () => {
    assert.deepEqual(decode(bytes('a', IAC, SE, 'b')), [data('ab')]);
  });

  it('holds an IAC that ends a read until the next read says what it is', () => {
    const d = new TelnetDecoder();
    assert.deepEqual(d.push(bytes('x', IAC)), [data('x')]);
    assert.deepEqual(d.push(bytes(IAC, 'y')), [data(bytes(0xff, 'y'))]);
    assert.deepEqual(d.push(bytes(IAC)), []);
    assert.deepEqual(d.push(bytes(DO)), []);
    assert.deepEqual(d.push(bytes(Opt.ECHO)), [{ type: 'command', command: DO, option: Opt.ECHO }]);
  });
});

describe('TelnetDecoder: subnegotiation', () => {
  it('reports an SB body with its option', () => {
    assert.deepEqual(decode(bytes(IAC, SB, Opt.TTYPE, 0, 'XTERM', IAC, SE)), [
      { type: 'subnegotiation', option: Opt.TTYPE, data: bytes(0, 'XTERM') },
    ]);
  });

  it('holds no buffer between subnegotiations (a parked caller keeps nothing from its NAWS)', () => {
    const d = new TelnetDecoder();
    const events: TelnetEvent[] = [...d.push(bytes(IAC, SB, Opt.NAWS, 0, 80))];
    assert.ok(d.bufferedBytes > 0, 'an SB in progress is buffered');
    events.push(...d.push(bytes(0, 25, IAC, SE)));
    assert.equal(d.bufferedBytes, 0);
    events.push(...d.push(bytes(IAC, SB, Opt.NAWS, 0, 132, 0, 50, IAC, SE)));
    assert.deepEqual(events, [
      { type: 'subnegotiation', option: Opt.NAWS, data: bytes(0, 80, 0, 25) },
      { type: 'subnegotiation', option: Opt.NAWS, data: bytes(0, 132, 0, 50) },
    ]);
    assert.equal(d.bufferedBytes, 0);
  });

  it('un-doubles IAC IAC inside SB (PuTTY sends a width of 255 that way)', () => {
    assert.deepEqual(decode(bytes(IAC, SB, Opt.NAWS, 0, IAC, IAC, 0, 24, IAC, SE)), [
      { type: 'subnegotiation', option: Opt.NAWS, data: bytes(0, 0xff, 0, 24) },
    ]);
  });

  it('keeps an undoubled 255 inside SB when no command follows it (SyncTERM NAWS)', () => {
    assert.deepEqual(decode(bytes(IAC, SB, Opt.NAWS, 0, IAC, 0, 24, IAC, SE)), [
      { type: 'subnegotiation', option: Opt.NAWS, data: bytes(0, 0xff, 0, 24) },
    ]);
  });

  it('reports an empty SB body', () => {
    assert.deepEqual(decode(bytes(IAC, SB, Opt.CHARSET, IAC, SE)), [
      { type: 'subnegotiation', option: Opt.CHARSET, data: Buffer.alloc(0) },
    ]);
  });

  it('does not normalize CR or LF inside an SB body', () => {
    assert.deepEqual(decode(bytes(IAC, SB, 99, 13, 10, 13, 0, IAC, SE)), [
      { type: 'subnegotiation', option: 99, data: bytes(13, 10, 13, 0) },
    ]);
  });

  it('discards an SB interrupted by IAC WILL, then answers the WILL', () => {
    assert.deepEqual(decode(bytes(IAC, SB, Opt.TTYPE, 0, 'xt', IAC, WILL, Opt.NAWS, 'ok')), [
      { type: 'error', code: 'SUBNEGOTIATION_INTERRUPTED', option: Opt.TTYPE },
      { type: 'command', command: WILL, option: Opt.NAWS },
      data('ok'),
    ]);
  });

  it('discards an SB interrupted by IAC DO, and by a new IAC SB whose body is kept', () => {
    assert.deepEqual(decode(bytes(IAC, SB, 1, 'x', IAC, DO, 3, IAC, SB, 2, 'y', IAC, SB, 24, 0, 'z', IAC, SE)), [
      { type: 'error', code: 'SUBNEGOTIATION_INTERRUPTED', option: 1 },
      { type: 'command', command: DO, option: 3 },
      { type: 'error', code: 'SUBNEGOTIATION_INTERRUPTED', option: 2 },
      { type: 'subnegotiation', option: 24, data: bytes(0, 'z') },
    ]);
  });

  it('reports an SB longer than the cap once and drops the rest of it', () => {
    const d = new TelnetDecoder({ maxSubnegotiation: 16 });
    const events = [
      ...d.push(bytes(IAC, SB, Opt.TTYPE, 0)),
      ...d.push(Buffer.alloc(10, 0x41)),
      ...d.push(Buffer.alloc(10, 0x42)),
      ...d.push(Buffer.alloc(1000, 0x43)),
      ...d.push(bytes(IAC, IAC, 'more')),
    ];
    assert.deepEqual(events, [{ type: 'error', code: 'SUBNEGOTIATION_TOO_LONG', option: Opt.TTYPE }]);
    // The broken SB ends at IAC SE; what follows decodes normally.
    assert.deepEqual(merged(d.push(bytes(IAC, SE, 'hi', IAC, SB, 31, 0, 80, 0, 24, IAC, SE))), [
      data('hi'),
      { type: 'subnegotiation', option: 31, data: bytes(0, 80, 0, 24) },
    ]);
  });

  it('survives 10 MiB of unterminated SB with one error and no SB event', () => {
    const d = new TelnetDecoder();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const events = d.push(bytes(IAC, SB, Opt.TTYPE, 0));
    for (let i = 0; i < 160; i++) events.push(...d.push(chunk));
    assert.deepEqual(events, [{ type: 'error', code: 'SUBNEGOTIATION_TOO_LONG', option: Opt.TTYPE }]);
  });

  it('keeps an SB of exactly the cap', () => {
    const body = Buffer.alloc(16, 0x41);
    assert.deepEqual(decode(Buffer.concat([bytes(IAC, SB, 5), body, bytes(IAC, SE)]), { maxSubnegotiation: 16 }), [
      { type: 'subnegotiation', option: 5, data: body },
    ]);
  });
});

describe('TelnetDecoder: Enter', () => {
  const enterForms: [string, Buffer][] = [
    ['CR LF', bytes('a', 13, 10, 'b')],
    ['CR NUL', bytes('a', 13, 0, 'b')],
    ['bare CR', bytes('a', 13, 'b')],
    ['bare LF', bytes('a', 10, 'b')],
  ];
  for (const [name, input] of enterForms) {
    it(`turns ${name} into one \\r`, () => {
      assert.deepEqual(decode(input), [data('a\rb')]);
    });
    it(`turns ${name} into one \\r wherever the reads split`, () => {
      assertSplitInvariant(input);
    });
  }

  it('emits a CR at the end of a read at once, and swallows the LF that starts the next read', () => {
    const d = new TelnetDecoder();
    assert.deepEqual(d.push(bytes('a', 13)), [data('a\r')]);
    assert.deepEqual(d.push(bytes(10, 'b')), [data('b')]);
  });

  it('swallows a NUL that starts the read after a CR', () => {
    const d = new TelnetDecoder();
    assert.deepEqual(d.push(bytes(13)), [data('\r')]);
    assert.deepEqual(d.push(bytes(0)), []);
    assert.deepEqual(d.push(bytes('x')), [data('x')]);
  });

  it('swallows only one LF or NUL after a CR', () => {
    assert.deepEqual(decode(bytes(13, 10, 10)), [data('\r\r')]);
    assert.deepEqual(decode(bytes(13, 0, 0)), [data(bytes(13, 0))]);
  });

  it('counts CR CR LF as two Enters and LF LF as two', () => {
    assert.deepEqual(decode(bytes(13, 13, 10)), [data('\r\r')]);
    assert.deepEqual(decode(bytes(10, 10)), [data('\r\r')]);
  });

  it('passes a NUL that does not follow CR (NUL floods reach the session as data)', () => {
    assert.deepEqual(decode(bytes(0, 0, 'a')), [data(bytes(0, 0, 'a'))]);
  });

  it('treats CR, a telnet command, then LF as one Enter', () => {
    assert.deepEqual(decode(bytes(13, IAC, Cmd.NOP, 10)), [data('\r'), { type: 'command', command: Cmd.NOP }]);
  });

  it('does not swallow a 0xFF data byte after CR', () => {
    assert.deepEqual(decode(bytes(13, IAC, IAC)), [data(bytes(13, 0xff))]);
  });

  it('leaves line endings alone when normalization is off', () => {
    assert.deepEqual(decode(bytes('a', 13, 10, 'b', 13, 0, 10), { normalizeEnter: false }), [
      data(bytes('a', 13, 10, 'b', 13, 0, 10)),
    ]);
  });
});

describe('TelnetDecoder: split reads', () => {
  it('decodes a mixed stream the same at every split position', () => {
    const stream = bytes(
      'login', 13, 0, IAC, WILL, Opt.TTYPE, IAC, IAC, IAC, SB, Opt.NAWS, 0, IAC, IAC, 0, 25, IAC, SE,
      'x', 13, IAC, Cmd.NOP, 10, IAC, 0x10, Cmd.DM, IAC, SE, 10, IAC, SB, 24, 0, 'vt', IAC, DO, 1,
      IAC, SB, 24, 0, 'ansi', 0, IAC, SE, 13,
    );
    assertSplitInvariant(stream);
    assertSplitInvariant(stream, { normalizeEnter: false, dropBareDataMark: false });
  });

  it('decodes arbitrary bytes the same however the reads are split', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (raw, cuts) => {
          const input = Buffer.from(raw);
          const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const p of points) {
            chunks.push(input.subarray(at, p));
            at = p;
          }
          chunks.push(input.subarray(at));
          assert.deepEqual(decode(chunks, { maxSubnegotiation: 32 }), decode(input, { maxSubnegotiation: 32 }));
        },
      ),
      { numRuns: 500 },
    );
  });
});
