// Fuzzing the in-band window-size filter (PROTOCOL-NOTES hostile input 12: FF FF ss with
// 0, 65535 or split, stray FF FF): for any bytes in any reads it agrees with a plain
// left-to-right reading of the stream, loses and invents nothing, and holds at most the
// three bytes that might begin a report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutPoints, fuzz, splitAt } from '../../../tools/fuzz/fuzz-settings.js';
import { RloginWindowSizeFilter, WINDOW_SIZE_MAGIC, type RloginInputEvent, type RloginWindowSize } from './window-size.js';

const REPORT_BYTES = WINDOW_SIZE_MAGIC.length + 8;

/**
 * The meaning of a client's stream, read whole: a report wherever the magic starts with
 * its full body after it, data everywhere else. A report cut off by the end of the
 * stream is not data (its body never came) and is dropped.
 */
function reference(stream: Buffer): { data: Buffer; sizes: RloginWindowSize[] } {
  const data: number[] = [];
  const sizes: RloginWindowSize[] = [];
  let i = 0;
  while (i < stream.length) {
    if (stream.subarray(i, i + WINDOW_SIZE_MAGIC.length).equals(WINDOW_SIZE_MAGIC)) {
      if (i + REPORT_BYTES > stream.length) break;
      const body = stream.subarray(i + WINDOW_SIZE_MAGIC.length, i + REPORT_BYTES);
      sizes.push({ rows: body.readUInt16BE(0), cols: body.readUInt16BE(2), xpixels: body.readUInt16BE(4), ypixels: body.readUInt16BE(6) });
      i += REPORT_BYTES;
      continue;
    }
    data.push(stream[i]!);
    i++;
  }
  return { data: Buffer.from(data), sizes };
}

function filter(chunks: readonly Buffer[]): { data: Buffer; sizes: RloginWindowSize[]; maxHeld: number } {
  const f = new RloginWindowSizeFilter();
  const events: RloginInputEvent[] = [];
  let maxHeld = 0;
  for (const c of chunks) {
    events.push(...f.push(c));
    maxHeld = Math.max(maxHeld, f.held);
  }
  const data = Buffer.concat([...events.flatMap((e) => (e.type === 'data' ? [e.bytes] : [])), f.flush()]);
  const sizes = events.flatMap((e) => (e.type === 'size' ? [{ rows: e.rows, cols: e.cols, xpixels: e.xpixels, ypixels: e.ypixels }] : []));
  return { data, sizes, maxHeld };
}

/** Streams full of FF, 's' and whole or partial reports, so the magic's corners get hit. */
const piece = fc.oneof(
  fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
  fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xff, 0xff]), Buffer.from([0xff, 0xff, 0x73]), Buffer.from([0x73])),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 12 })).map(([rows, cols, keep]) => {
    const r = Buffer.alloc(REPORT_BYTES);
    WINDOW_SIZE_MAGIC.copy(r);
    r.writeUInt16BE(rows, 4);
    r.writeUInt16BE(cols, 6);
    return r.subarray(0, keep === 12 ? REPORT_BYTES : Math.max(keep, REPORT_BYTES - 6));
  }),
);
const stream = fc.array(piece, { maxLength: 40 }).map((p) => Buffer.concat(p));

describe('RloginWindowSizeFilter under fuzzing', () => {
  it('reads any stream, cut anywhere, exactly as a whole left-to-right reading does', () => {
    fuzz(
      fc.property(stream, cutPoints, (input, cuts) => {
        const got = filter(splitAt(input, cuts));
        const want = reference(input);
        assert.deepEqual(got.sizes, want.sizes);
        assert.deepEqual(got.data, want.data);
      }),
      300,
    );
  });

  it('never holds more than the three bytes that might begin a report', () => {
    fuzz(
      fc.property(stream, cutPoints, (input, cuts) => {
        assert.ok(filter(splitAt(input, cuts)).maxHeld <= WINDOW_SIZE_MAGIC.length - 1);
      }),
      150,
    );
  });
});
