import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Cmd, Opt } from './constants.js';
import type { TelnetEvent } from './decoder.js';
import {
  MAX_ENV_REQUEST_BYTES,
  encodeCharsetAccepted,
  encodeCharsetRejected,
  encodeCharsetRequest,
  encodeCommand,
  encodeNaws,
  encodeNewEnvironIs,
  encodeNewEnvironSend,
  encodeSubnegotiation,
  encodeTtypeIs,
  encodeTtypeSend,
  escapeIac,
  type EnvEntry,
} from './encoder.js';
import { parseCharset } from './options/charset.js';
import { parseNaws } from './options/naws.js';
import { parseNewEnviron } from './options/new-environ.js';
import { parseTtype } from './options/ttype.js';
import { rawDecoder } from './test-helpers.js';

const hex = (b: Buffer): string => b.toString('hex');

/** A decoder that changes nothing in data, to check that encoding loses nothing. */
function rawDecode(bytes: Buffer): TelnetEvent[] {
  return rawDecoder().push(bytes);
}

function onlySubnegotiation(bytes: Buffer): { option: number; data: Buffer } {
  const events = rawDecode(bytes);
  assert.equal(events.length, 1);
  const ev = events[0]!;
  assert.equal(ev.type, 'subnegotiation');
  return ev as { option: number; data: Buffer };
}

describe('encoder byte tables', () => {
  it('encodes negotiation commands as IAC verb option', () => {
    assert.equal(hex(encodeCommand(Cmd.WILL, Opt.ECHO)), 'fffb01');
    assert.equal(hex(encodeCommand(Cmd.WONT, Opt.LINEMODE)), 'fffc22');
    assert.equal(hex(encodeCommand(Cmd.DO, Opt.NAWS)), 'fffd1f');
    assert.equal(hex(encodeCommand(Cmd.DONT, Opt.ENVIRON)), 'fffe24');
  });

  it('encodes two-byte commands as IAC command', () => {
    assert.equal(hex(encodeCommand(Cmd.AYT)), 'fff6');
    assert.equal(hex(encodeCommand(Cmd.GA)), 'fff9');
  });

  it('refuses a negotiation verb without an option and an option that is not a byte', () => {
    assert.throws(() => encodeCommand(Cmd.DO), RangeError);
    assert.throws(() => encodeCommand(Cmd.DO, 256), RangeError);
  });

  it('doubles every IAC in data and returns data without IAC untouched', () => {
    assert.equal(hex(escapeIac(Buffer.from([1, 0xff, 2, 0xff, 0xff]))), '01ffff02ffffffff');
    const plain = Buffer.from('plain');
    assert.equal(escapeIac(plain), plain);
  });

  it('frames a subnegotiation and doubles IAC inside it', () => {
    assert.equal(hex(encodeSubnegotiation(Opt.TTYPE, [0, 0xff, 0x41])), 'fffa1800ffff41fff0');
  });

  it('encodes NAWS 80x24, and 255 with IAC doubled', () => {
    assert.equal(hex(encodeNaws(80, 24)), 'fffa1f00500018fff0');
    assert.equal(hex(encodeNaws(255, 255)), 'fffa1f00ffff00fffffff0');
  });

  it('clamps NAWS values to 16 bits', () => {
    assert.equal(hex(encodeNaws(70000, -3)), 'fffa1fffffffff0000fff0');
  });

  it('encodes TTYPE SEND and IS', () => {
    assert.equal(hex(encodeTtypeSend()), 'fffa1801fff0');
    assert.equal(hex(encodeTtypeIs('ANSI')), 'fffa1800414e5349fff0');
  });

  it('encodes NEW-ENVIRON SEND with VAR and USERVAR names', () => {
    const [req, ...rest] = encodeNewEnvironSend([
      { kind: 'var', name: 'USER' },
      { kind: 'uservar', name: 'TERM' },
    ]);
    assert.equal(rest.length, 0);
    assert.equal(hex(req!), 'fffa27' + '01' + '00' + hex(Buffer.from('USER')) + '03' + hex(Buffer.from('TERM')) + 'fff0');
  });

  it('encodes an empty NEW-ENVIRON SEND as "send everything"', () => {
    assert.deepEqual(encodeNewEnvironSend([]).map(hex), ['fffa2701fff0']);
  });

  it('splits NEW-ENVIRON requests so none is longer than 240 bytes on the wire', () => {
    const vars = Array.from({ length: 60 }, (_, i) => ({ kind: 'uservar' as const, name: `VARIABLE_${i}` }));
    const requests = encodeNewEnvironSend(vars);
    assert.ok(requests.length > 1);
    for (const r of requests) assert.ok(r.length <= MAX_ENV_REQUEST_BYTES, `request of ${r.length} bytes`);
    const names = requests.flatMap((r) => {
      const msg = parseNewEnviron(onlySubnegotiation(r).data);
      assert.equal(msg?.kind, 'send');
      return msg.kind === 'send' ? msg.vars.map((v) => v.name) : [];
    });
    assert.deepEqual(names, vars.map((v) => v.name));
  });

  it('escapes VAR, VALUE, ESC and USERVAR bytes inside env names and values', () => {
    const b = encodeNewEnvironIs([{ kind: 'var', name: 'A\x01', value: '\x00\x02\x03' }]);
    assert.equal(hex(b), 'fffa2700' + '00' + '41' + '0201' + '01' + '020002020203' + 'fff0');
  });

  it('encodes CHARSET REQUEST, ACCEPTED and REJECTED', () => {
    assert.equal(hex(encodeCharsetRequest(['UTF-8', 'CP437'])), 'fffa2a01' + hex(Buffer.from(';UTF-8;CP437')) + 'fff0');
    assert.equal(hex(encodeCharsetAccepted('UTF-8')), 'fffa2a02' + hex(Buffer.from('UTF-8')) + 'fff0');
    assert.equal(hex(encodeCharsetRejected()), 'fffa2a03fff0');
  });

  it('refuses a CHARSET separator that appears in a name', () => {
    assert.throws(() => encodeCharsetRequest(['A;B']), RangeError);
  });
});

describe('decode(encode(x)) = x', () => {
  it('round-trips any data, 0xFF included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
        const input = Buffer.from(raw);
        const events = rawDecode(escapeIac(input));
        const out = Buffer.concat(events.map((e) => (e.type === 'data' ? e.bytes : Buffer.alloc(0))));
        assert.equal(events.every((e) => e.type === 'data'), true);
        assert.equal(hex(out), hex(input));
      }),
    );
  });

  it('round-trips any subnegotiation payload, 0xFF included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 }), (option, raw) => {
        const sb = onlySubnegotiation(encodeSubnegotiation(option, Buffer.from(raw)));
        assert.equal(sb.option, option);
        assert.equal(hex(sb.data), hex(Buffer.from(raw)));
      }),
    );
  });

  it('round-trips NAWS sizes, 255 and 65535 included', () => {
    for (const [cols, rows] of [[80, 24], [255, 255], [65535, 65535], [0, 0], [132, 43]] as const) {
      assert.deepEqual(parseNaws(onlySubnegotiation(encodeNaws(cols, rows)).data), { cols, rows });
    }
  });

  it('round-trips TTYPE IS names', () => {
    const msg = parseTtype(onlySubnegotiation(encodeTtypeIs('XTERM-256COLOR')).data);
    assert.equal(msg?.kind, 'is');
    assert.equal(msg.kind === 'is' && msg.name.toString(), 'XTERM-256COLOR');
    assert.deepEqual(parseTtype(onlySubnegotiation(encodeTtypeSend()).data), { kind: 'send' });
  });

  it('round-trips NEW-ENVIRON IS and INFO entries, escapes included', () => {
    const name = fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.replace(/[^\x00-\xff]/g, '?'));
    const entry = fc.record({
      kind: fc.constantFrom('var' as const, 'uservar' as const),
      name,
      value: fc.option(fc.string({ maxLength: 20 }).map((s) => s.replace(/[^\x00-\xff]/g, '?')), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 10 }), fc.constantFrom('is' as const, 'info' as const), (entries: EnvEntry[], kind) => {
        const msg = parseNewEnviron(onlySubnegotiation(encodeNewEnvironIs(entries, kind)).data);
        assert.deepEqual(msg, { kind, entries, truncated: false });
      }),
    );
  });

  it('round-trips CHARSET messages', () => {
    assert.deepEqual(parseCharset(onlySubnegotiation(encodeCharsetRequest(['UTF-8', 'CP437'])).data), {
      kind: 'request',
      names: ['UTF-8', 'CP437'],
      truncated: false,
    });
    assert.deepEqual(parseCharset(onlySubnegotiation(encodeCharsetAccepted('CP437')).data), { kind: 'accepted', name: 'CP437' });
    assert.deepEqual(parseCharset(onlySubnegotiation(encodeCharsetRejected()).data), { kind: 'rejected' });
  });
});
