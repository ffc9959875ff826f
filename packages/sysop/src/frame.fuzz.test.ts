// Fuzzing the control channel's frame decoder: whatever a client sends, cut into whatever
// reads, the decoder throws nothing, never holds more than a header and the cap, reports an
// oversized header before reading its body, and gives back exactly what encodeFrame wrote.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutPoints, fuzz, splitAt } from '../../../tools/fuzz/fuzz-settings.js';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, type FrameEvent } from './frame.js';

const CAP = 512;

function decodeAll(chunks: readonly Buffer[], cap = CAP): { events: FrameEvent[]; maxHeld: number } {
  const d = new FrameDecoder(cap);
  const events: FrameEvent[] = [];
  let maxHeld = 0;
  for (const c of chunks) {
    events.push(...d.push(c));
    maxHeld = Math.max(maxHeld, d.held);
  }
  events.push(...d.end());
  return { events, maxHeld };
}

describe('frame decoder (fuzz)', () => {
  it('gives back every frame written, wherever the reads are cut', () => {
    fuzz(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme' }), { maxLength: 12 }), cutPoints, (texts, cuts) => {
        const stream = Buffer.concat(texts.map((t) => encodeFrame(t, CAP)));
        const { events } = decodeAll(splitAt(stream, cuts));
        assert.deepEqual(events, texts.map((text) => ({ type: 'frame', text })));
      }),
      300,
    );
  });

  it('never throws and never holds more than a header and the cap, on any bytes', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 2000 }), cutPoints, (bytes, cuts) => {
        const { events, maxHeld } = decodeAll(splitAt(bytes, cuts));
        assert.ok(maxHeld <= CAP + FRAME_HEADER_BYTES, `held ${maxHeld}`);
        // At most one error, and it is the last event.
        const errors = events.filter((e) => e.type === 'error');
        assert.ok(errors.length <= 1);
        if (errors.length === 1) assert.equal(events[events.length - 1]!.type, 'error');
      }),
      300,
    );
  });

  it('refuses an oversized length from its header alone', () => {
    fuzz(
      fc.property(fc.integer({ min: CAP + 1, max: 0xffffffff }), cutPoints, (length, cuts) => {
        const header = Buffer.alloc(4);
        header.writeUInt32BE(length, 0);
        const d = new FrameDecoder(CAP);
        const events = splitAt(header, cuts).flatMap((c) => d.push(c));
        assert.deepEqual(events, [{ type: 'error', reason: 'too_large', length }]);
        assert.equal(d.held, 0);
        assert.deepEqual(d.push(Buffer.alloc(100)), []);
      }),
      200,
    );
  });

  it('names a frame cut short by the end of the stream', () => {
    fuzz(
      fc.property(fc.string({ minLength: 1, maxLength: 100 }), fc.nat(), (text, cut) => {
        const frame = encodeFrame(text, CAP);
        const keep = 1 + (cut % (frame.length - 1));
        const { events } = decodeAll([frame.subarray(0, keep)]);
        assert.deepEqual(events, [{ type: 'error', reason: 'truncated', held: keep }]);
      }),
      200,
    );
  });
});

describe('frame decoder', () => {
  it('refuses an empty frame and a body that is not UTF-8', () => {
    assert.deepEqual(new FrameDecoder().push(Buffer.alloc(4)), [{ type: 'error', reason: 'empty' }]);
    assert.deepEqual(new FrameDecoder().push(Buffer.from([0, 0, 0, 2, 0xc3, 0x28])), [{ type: 'error', reason: 'bad_utf8', length: 2 }]);
  });
  it('refuses to encode a frame over the cap', () => {
    assert.throws(() => encodeFrame('x'.repeat(CAP + 1), CAP), RangeError);
  });
});
