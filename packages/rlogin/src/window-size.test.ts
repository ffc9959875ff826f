import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RloginWindowSizeFilter, WINDOW_SIZE_MAGIC, type RloginInputEvent, type RloginWindowSize } from './window-size.js';

function marker(rows: number, cols: number, xpixels = 0, ypixels = 0): Buffer {
  const b = Buffer.alloc(12);
  WINDOW_SIZE_MAGIC.copy(b, 0);
  b.writeUInt16BE(rows, 4);
  b.writeUInt16BE(cols, 6);
  b.writeUInt16BE(xpixels, 8);
  b.writeUInt16BE(ypixels, 10);
  return b;
}
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Run `pieces` through one filter, then flush; return the data and the sizes. */
function run(pieces: Buffer[]): { data: Buffer; sizes: RloginWindowSize[]; events: RloginInputEvent[] } {
  const f = new RloginWindowSizeFilter();
  const events = pieces.flatMap((p) => f.push(p));
  const tail = f.flush();
  const data = Buffer.concat([...events.flatMap((e) => (e.type === 'data' ? [e.bytes] : [])), tail]);
  const sizes = events.flatMap((e) => (e.type === 'size' ? [{ rows: e.rows, cols: e.cols, xpixels: e.xpixels, ypixels: e.ypixels }] : []));
  return { data, sizes, events };
}
const everySplit = (b: Buffer): Buffer[][] => [
  [b],
  ...Array.from({ length: b.length - 1 }, (_, i) => [b.subarray(0, i + 1), b.subarray(i + 1)]),
  [...b].map((x) => Buffer.from([x])),
];

describe('RloginWindowSizeFilter', () => {
  it('strips a size report from the data and reports it, split at every position', () => {
    const input = Buffer.concat([bytes('ab'), marker(24, 80, 640, 384), bytes('cd')]);
    for (const pieces of everySplit(input)) {
      const r = run(pieces);
      assert.deepEqual(r.data, bytes('abcd'));
      assert.deepEqual(r.sizes, [{ rows: 24, cols: 80, xpixels: 640, ypixels: 384 }]);
    }
  });

  it('keeps data and size events in stream order', () => {
    const { events } = run([Buffer.concat([bytes('a'), marker(25, 80), bytes('b'), marker(50, 132)])]);
    assert.deepEqual(
      events.map((e) => (e.type === 'data' ? e.bytes.toString('latin1') : `${e.cols}x${e.rows}`)),
      ['a', '80x25', 'b', '132x50'],
    );
  });

  it('passes stray FF FF through as data when no ss follows (0xFF is a CP437 character), at every split', () => {
    for (const stray of [bytes('x\xff\xffy'), bytes('\xff\xff'), bytes('\xff\xffs!'), bytes('\xffs\xff'), bytes('\xff\xff\xff\xff')]) {
      for (const pieces of everySplit(stray)) {
        const r = run(pieces);
        assert.deepEqual(r.data, stray);
        assert.deepEqual(r.sizes, []);
      }
    }
  });

  it('finds a report that starts in a run of FF bytes', () => {
    const input = Buffer.concat([bytes('\xff\xff\xff'), marker(40, 100)]);
    for (const pieces of everySplit(input)) {
      const r = run(pieces);
      assert.deepEqual(r.data, bytes('\xff\xff\xff'));
      assert.deepEqual(r.sizes, [{ rows: 40, cols: 100, xpixels: 0, ypixels: 0 }]);
    }
  });

  it('reports nonsense sizes as sent; the connection decides what to believe', () => {
    assert.deepEqual(run([marker(0, 0)]).sizes, [{ rows: 0, cols: 0, xpixels: 0, ypixels: 0 }]);
    assert.deepEqual(run([marker(65535, 65535, 65535, 65535)]).sizes, [{ rows: 65535, cols: 65535, xpixels: 65535, ypixels: 65535 }]);
  });

  it('holds a trailing FF that may begin a report until the next byte or a flush', () => {
    const f = new RloginWindowSizeFilter();
    assert.deepEqual(f.push(bytes('a\xff')), [{ type: 'data', bytes: bytes('a') }]);
    assert.equal(f.held, 1);
    assert.deepEqual(f.flush(), bytes('\xff'));
    assert.equal(f.held, 0);
    assert.deepEqual(f.flush(), Buffer.alloc(0));
  });

  it('passes plain data through untouched', () => {
    const input = bytes('hello, world\r');
    assert.deepEqual(new RloginWindowSizeFilter().push(input), [{ type: 'data', bytes: input }]);
    assert.deepEqual(new RloginWindowSizeFilter().push(Buffer.alloc(0)), []);
  });

  it('returns exactly the data without the reports for any data, reports and chunking', () => {
    const segment = fc.oneof(
      fc.uint8Array({ maxLength: 12 }).map((a) => ({ data: Buffer.from(a) })),
      fc.uint8Array({ maxLength: 4 }).map((a) => ({ data: Buffer.from(a.map(() => 0xff)) })),
      fc.record({ rows: fc.integer({ min: 0, max: 65535 }), cols: fc.integer({ min: 0, max: 65535 }) }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }), (segments, cuts) => {
        const expectedData = Buffer.concat(segments.flatMap((s) => ('data' in s ? [s.data] : [])));
        // Data that itself spells a report is a report; leave that to the unit cases above.
        fc.pre(!expectedData.includes(WINDOW_SIZE_MAGIC));
        const stream = Buffer.concat(segments.map((s) => ('data' in s ? s.data : marker(s.rows, s.cols))));
        const pieces: Buffer[] = [];
        for (let at = 0, k = 0; at < stream.length; k++) {
          const n = cuts[k % cuts.length]!;
          pieces.push(stream.subarray(at, at + n));
          at += n;
        }
        const r = run(pieces);
        assert.deepEqual(r.data, expectedData);
        assert.deepEqual(
          r.sizes.map((s) => [s.rows, s.cols]),
          segments.flatMap((s) => ('rows' in s ? [[s.rows, s.cols]] : [])),
        );
      }),
      { numRuns: 500 },
    );
  });
});
