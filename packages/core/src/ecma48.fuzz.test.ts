// Fuzzing the escape scanner a door's output goes through: whatever bytes a door writes,
// in whatever reads, nothing throws, no sequence holds more than MAX_PARAMETER_BYTES, and
// the tokens and the boundaries are the same however the bytes are cut (one byte a read
// included, which reads a UTF-8 character's bytes one by one instead of from a run's end).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutPoints, fuzz, splitAt } from '../../../tools/fuzz/fuzz-settings.js';
import { Ecma48Scanner, Ecma48Token, MAX_PARAMETER_BYTES } from './ecma48.js';

interface Scanned {
  tokens: string[];
  /** at the end of each read: how many bytes had been read, and whether that was a boundary */
  boundaries: Map<number, boolean>;
  maxParams: number;
}

function scan(utf8: boolean, chunks: readonly Uint8Array[]): Scanned {
  const s = new Ecma48Scanner(utf8);
  const tokens: string[] = [];
  const boundaries = new Map<number, boolean>();
  let read = 0;
  let maxParams = 0;
  for (const c of chunks) {
    s.push(c);
    for (let t = s.next(); t !== Ecma48Token.End; t = s.next()) {
      const last = tokens[tokens.length - 1];
      if (t === Ecma48Token.Text) {
        // a run cut by a read goes on in the next: drawn, it is one
        const text = Buffer.from(c.subarray(s.textStart, s.textEnd)).toString('latin1');
        if (last?.startsWith('text ')) tokens[tokens.length - 1] = last + text;
        else tokens.push(`text ${text}`);
      } else if (t === Ecma48Token.Control) tokens.push(`control ${s.control}`);
      else if (t === Ecma48Token.String) tokens.push(`string ${s.introducer}`);
      else tokens.push(`${t} ${s.params}|${s.intermediates}|${s.final}|${s.dropped}`);
      maxParams = Math.max(maxParams, s.params.length);
    }
    maxParams = Math.max(maxParams, s.params.length);
    read += c.length;
    boundaries.set(read, s.atBoundary);
  }
  return { tokens, boundaries, maxParams };
}

/** A door's output heavy in escapes, digits, separators, string openers and UTF-8 pieces, plus any bytes. */
const doorOutput = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 6 }),
      fc.string({ unit: 'grapheme', maxLength: 3 }).map((s) => Buffer.from(s, 'utf8')),
      fc
        .constantFrom('\x1b', '\x1b[', '\x1b]', '\x1bP', '\x1b\\', '\x1b(', '\x07', '\x18', '\x1a', ';', '1', '?', '!', ' ', 'm', 'H', '\r\n', '\x0e', '\x0f', '\xe2', '\x95', '\xf0', '\x9f')
        .map((s) => Buffer.from(s, 'latin1')),
      fc.string({ unit: fc.constantFrom('0', '9', ';', ':', '?'), maxLength: 200 }).map((p) => Buffer.from(`\x1b[${p}`, 'latin1')),
    ),
    { maxLength: 60 },
  )
  .map((parts) => Buffer.concat(parts));

describe('Ecma48Scanner under fuzzing', () => {
  it('reads the same tokens and ends at the same boundary however the bytes are cut, holding at most MAX_PARAMETER_BYTES', () => {
    fuzz(
      fc.property(doorOutput, cutPoints, fc.boolean(), (bytes, cuts, utf8) => {
        const whole = scan(utf8, [bytes]);
        const cut = scan(utf8, splitAt(bytes, cuts));
        const bytewise = scan(utf8, [...bytes].map((b) => Uint8Array.of(b)));
        assert.deepEqual(cut.tokens, whole.tokens);
        assert.deepEqual(bytewise.tokens, whole.tokens);
        // where a read ends mid-run the boundary is read from the run's end; one byte a read, byte by byte
        for (const [at, boundary] of cut.boundaries) if (at > 0) assert.equal(boundary, bytewise.boundaries.get(at), `after ${at} bytes`);
        assert.equal(whole.boundaries.get(bytes.length), bytewise.boundaries.get(bytes.length) ?? true);
        assert.ok(Math.max(whole.maxParams, cut.maxParams, bytewise.maxParams) <= MAX_PARAMETER_BYTES);
      }),
      300,
    );
  });
});
