// Fuzzing the ZMODEM decoder: whatever arrives, in whatever reads, it throws nothing and
// never hands out a subpacket over its cap; what the encoder wrote comes back unchanged.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../../../tools/fuzz/fuzz-settings.js';
import { Frame, ZCRCE, ZCRCG, ZCRCQ, ZCRCW, type SubpacketEnd } from './constants.js';
import { ZmodemDecoder, type ZmodemEvent } from './decoder.js';
import { encodeBinHeader, encodeSubpacket } from './encoder.js';

function splitAll(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

describe('ZMODEM decoder fuzz', () => {
  it('random bytes in random reads: no throw, subpackets within the cap', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 4000 }), fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const d = new ZmodemDecoder({ maxSubpacket: 512 });
        for (const part of splitAll(Buffer.from(bytes), cuts)) {
          for (const ev of d.push(part)) if (ev.type === 'data') assert.ok(ev.data.length <= 512);
        }
      }),
      300,
    );
  });

  it('encoded frames come back as they were, however the stream is cut', () => {
    const sub = fc.record({ data: fc.uint8Array({ maxLength: 300 }), end: fc.constantFrom<SubpacketEnd>(ZCRCG, ZCRCQ) });
    fuzz(
      fc.property(
        fc.boolean(),
        fc.nat({ max: 0xffffffff }),
        fc.array(sub, { maxLength: 5 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom<SubpacketEnd>(ZCRCE, ZCRCW),
        fc.array(fc.nat(), { maxLength: 10 }),
        (crc32, pos, middle, last, end, cuts) => {
          const pb = [pos & 0xff, (pos >>> 8) & 0xff, (pos >>> 16) & 0xff, pos >>> 24];
          const frames = [encodeBinHeader(Frame.ZDATA, pb, crc32), ...middle.map((m) => encodeSubpacket(m.data, m.end, crc32)), encodeSubpacket(last, end, crc32)];
          const d = new ZmodemDecoder();
          const events: ZmodemEvent[] = [];
          for (const part of splitAll(Buffer.concat(frames), cuts)) events.push(...d.push(part));
          assert.deepEqual(events, [
            { type: 'header', frame: Frame.ZDATA, data: pb, form: crc32 ? 'bin32' : 'bin16' },
            ...middle.map((m) => ({ type: 'data', data: Buffer.from(m.data), end: m.end })),
            { type: 'data', data: Buffer.from(last), end },
          ]);
        },
      ),
      200,
    );
  });
});
