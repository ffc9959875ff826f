// Fuzzing the telnet decoder (PROTOCOL-NOTES hostile inputs 3, 6 and 9 at the byte level):
// whatever a peer sends, in whatever reads, the decoder throws nothing, holds no more than
// its cap, and what the encoder wrote comes back out unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutPoints, fuzz, splitAt } from '../../../tools/fuzz/fuzz-settings.js';
import { Cmd } from './constants.js';
import { TelnetDecoder, type TelnetDecoderOptions, type TelnetEvent } from './decoder.js';
import {
  encodeCharsetRequest,
  encodeCommand,
  encodeNaws,
  encodeNewEnvironIs,
  encodeSubnegotiation,
  encodeTtypeIs,
  escapeIac,
  type EnvEntry,
} from './encoder.js';
import { parseCharset } from './options/charset.js';
import { parseNaws } from './options/naws.js';
import { parseNewEnviron } from './options/new-environ.js';
import { parseTtype } from './options/ttype.js';
import { RAW } from './test-helpers.js';

/** Adjacent data events merged: where reads were cut must not show in the result. */
function merged(events: readonly TelnetEvent[]): TelnetEvent[] {
  const out: TelnetEvent[] = [];
  for (const ev of events) {
    const last = out[out.length - 1];
    if (ev.type === 'data' && last?.type === 'data') out[out.length - 1] = { type: 'data', bytes: Buffer.concat([last.bytes, ev.bytes]) };
    else out.push(ev.type === 'data' ? { type: 'data', bytes: Buffer.from(ev.bytes) } : ev);
  }
  return out;
}

function decodeChunks(chunks: readonly Buffer[], opts?: TelnetDecoderOptions): { events: TelnetEvent[]; maxHeld: number } {
  const d = new TelnetDecoder(opts);
  const events: TelnetEvent[] = [];
  let maxHeld = 0;
  for (const c of chunks) {
    events.push(...d.push(c));
    maxHeld = Math.max(maxHeld, d.bufferedBytes);
  }
  return { events: merged(events), maxHeld };
}

/** As the server reads a client: Enter normalised, a bare DM dropped. */
const SERVER: TelnetDecoderOptions = {};

/**
 * Bytes biased towards the ones that matter to telnet (IAC, SB, SE, the verbs, CR, LF,
 * NUL, DM), so random input reaches the decoder's corners instead of staying in data.
 */
const telnetByte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 2, arbitrary: fc.constantFrom(Cmd.IAC, Cmd.SB, Cmd.SE, Cmd.WILL, Cmd.WONT, Cmd.DO, Cmd.DONT, Cmd.DM, 0x0d, 0x0a, 0x00, 24, 31, 39) },
);
const hostileBytes = (maxLength: number) => fc.array(telnetByte, { maxLength }).map((a) => Buffer.from(a));

describe('TelnetDecoder under fuzzing', () => {
  it('throws nothing, never holds more than maxSubnegotiation, and never emits more data than it was given', () => {
    fuzz(
      fc.property(hostileBytes(2000), cutPoints, fc.integer({ min: 0, max: 300 }), (input, cuts, maxSubnegotiation) => {
        const { events, maxHeld } = decodeChunks(splitAt(input, cuts), { maxSubnegotiation });
        assert.ok(maxHeld <= maxSubnegotiation, `held ${maxHeld} > ${maxSubnegotiation}`);
        let out = 0;
        for (const ev of events) {
          if (ev.type === 'data') out += ev.bytes.length;
          if (ev.type === 'subnegotiation') assert.ok(ev.data.length <= maxSubnegotiation);
          if (ev.type === 'command' && ev.option !== undefined) assert.ok(ev.option >= 0 && ev.option <= 255);
        }
        assert.ok(out <= input.length);
      }),
      200,
    );
  });

  it('decodes the same events however the stream is cut into reads', () => {
    fuzz(
      fc.property(hostileBytes(600), cutPoints, fc.constantFrom(SERVER, RAW), (input, cuts, opts) => {
        assert.deepEqual(decodeChunks(splitAt(input, cuts), opts).events, decodeChunks([input], opts).events);
      }),
      200,
    );
  });

  it('holds at most maxSubnegotiation bytes of an unterminated SB fed a megabyte in random reads', () => {
    fuzz(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 1, max: 65536 }), { minLength: 1, maxLength: 40 }), (kib, reads) => {
        const cap = kib * 1024;
        const d = new TelnetDecoder({ maxSubnegotiation: cap });
        d.push(Buffer.from([Cmd.IAC, Cmd.SB, 24]));
        let errors = 0;
        for (const n of reads) {
          for (const ev of d.push(Buffer.alloc(n, 0x41))) if (ev.type === 'error') errors++;
          assert.ok(d.bufferedBytes <= cap, `held ${d.bufferedBytes} > ${cap}`);
        }
        // The overflow is reported once, not once per read.
        assert.ok(errors <= 1);
      }),
      30,
    );
  });
});

/** One thing a peer can say, and the event it must decode to. */
type Frame =
  | { kind: 'data'; bytes: Buffer }
  | { kind: 'verb'; command: typeof Cmd.WILL | typeof Cmd.WONT | typeof Cmd.DO | typeof Cmd.DONT; option: number }
  | { kind: 'simple'; command: number }
  | { kind: 'sb'; option: number; payload: Buffer };

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a): Frame => ({ kind: 'data', bytes: Buffer.from(a) })),
  fc.record({ command: fc.constantFrom(Cmd.WILL, Cmd.WONT, Cmd.DO, Cmd.DONT), option: fc.integer({ min: 0, max: 255 }) }).map((f): Frame => ({ kind: 'verb', ...f })),
  // In RAW mode a bare 0xF2 in a data frame stays data; only IAC DM decodes as DM.
  fc.constantFrom(Cmd.NOP, Cmd.BRK, Cmd.IP, Cmd.AO, Cmd.AYT, Cmd.EC, Cmd.EL, Cmd.GA, Cmd.DM).map((command): Frame => ({ kind: 'simple', command })),
  fc.record({ option: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)) }).map((f): Frame => ({ kind: 'sb', ...f })),
);

function encodeFrame(f: Frame): Buffer {
  switch (f.kind) {
    case 'data':
      return escapeIac(f.bytes);
    case 'verb':
      return encodeCommand(f.command, f.option);
    case 'simple':
      return encodeCommand(f.command);
    case 'sb':
      return encodeSubnegotiation(f.option, f.payload);
  }
}

function expectedEvents(frames: readonly Frame[]): TelnetEvent[] {
  return merged(
    frames.map((f): TelnetEvent => {
      switch (f.kind) {
        case 'data':
          return { type: 'data', bytes: f.bytes };
        case 'verb':
          return { type: 'command', command: f.command, option: f.option };
        case 'simple':
          return { type: 'command', command: f.command } as TelnetEvent;
        case 'sb':
          return { type: 'subnegotiation', option: f.option, data: f.payload };
      }
    }),
  );
}

describe('decode(encode(x)) = x', () => {
  it('for data with 0xFF in it, doubled on the way out and single on the way in', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 2000 }), cutPoints, (raw, cuts) => {
        const bytes = Buffer.from(raw);
        assert.deepEqual(decodeChunks(splitAt(escapeIac(bytes), cuts), RAW).events, bytes.length ? [{ type: 'data', bytes }] : []);
      }),
      100,
    );
  });

  it('for any mix of data, commands and subnegotiations, cut anywhere', () => {
    fuzz(
      fc.property(fc.array(frame, { maxLength: 30 }), cutPoints, (frames, cuts) => {
        const wire = Buffer.concat(frames.map(encodeFrame));
        assert.deepEqual(decodeChunks(splitAt(wire, cuts), RAW).events, expectedEvents(frames));
      }),
      200,
    );
  });

  it('for NAWS, every width and height from 0 to 65535 (255 doubled inside)', () => {
    fuzz(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), cutPoints, (cols, rows, cuts) => {
        const events = decodeChunks(splitAt(encodeNaws(cols, rows), cuts), SERVER).events;
        assert.equal(events.length, 1);
        const ev = events[0]!;
        assert.ok(ev.type === 'subnegotiation');
        assert.deepEqual(parseNaws(ev.data), { cols, rows });
      }),
      150,
    );
  });

  it('for TTYPE IS, any name bytes', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 300 }), cutPoints, (name, cuts) => {
        const latin1 = Buffer.from(name).toString('latin1');
        const [ev] = decodeChunks(splitAt(encodeTtypeIs(latin1), cuts), SERVER).events;
        assert.ok(ev?.type === 'subnegotiation');
        assert.deepEqual(parseTtype(ev.data), { kind: 'is', name: Buffer.from(name) });
      }),
      100,
    );
  });

  it('for NEW-ENVIRON IS and INFO, names and values holding VAR, VALUE, ESC, USERVAR and IAC bytes', () => {
    const field = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1'));
    const entry: fc.Arbitrary<EnvEntry> = fc.record({
      kind: fc.constantFrom('var' as const, 'uservar' as const),
      name: field,
      value: fc.option(field, { nil: undefined }),
    });
    fuzz(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.constantFrom('is' as const, 'info' as const), cutPoints, (entries, kind, cuts) => {
        const [ev] = decodeChunks(splitAt(encodeNewEnvironIs(entries, kind), cuts), SERVER).events;
        assert.ok(ev?.type === 'subnegotiation');
        assert.deepEqual(parseNewEnviron(ev.data), { kind, entries, truncated: false });
      }),
      100,
    );
  });

  it('for CHARSET REQUEST, up to the 32 names carrier reads', () => {
    const name = fc.stringMatching(/^[!-:<-~]{1,40}$/);
    fuzz(
      fc.property(fc.array(name, { minLength: 1, maxLength: 32 }), cutPoints, (names, cuts) => {
        const [ev] = decodeChunks(splitAt(encodeCharsetRequest(names), cuts), SERVER).events;
        assert.ok(ev?.type === 'subnegotiation');
        assert.deepEqual(parseCharset(ev.data), { kind: 'request', names, truncated: false });
      }),
      100,
    );
  });
});
