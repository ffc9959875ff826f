// Fuzzing the cursor-position-report scanner a terminal probe reads through (PROTOCOL-NOTES
// hostile input 15: fake replies, missing replies, a reply in the middle of typing): it
// takes out exactly the well-formed replies, passes every other byte through in order,
// and never holds more than one reply's worth of bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutPoints, fuzz, splitAt } from '../../../tools/fuzz/fuzz-settings.js';
import { CprScanner, MAX_CPR_LENGTH, type CursorPosition } from './cpr.js';

function scan(chunks: readonly Buffer[]): { replies: CursorPosition[]; passthrough: Buffer; held: number } {
  const s = new CprScanner();
  const replies: CursorPosition[] = [];
  const pass: Buffer[] = [];
  for (const c of chunks) {
    const r = s.push(c);
    replies.push(...r.replies);
    pass.push(r.passthrough);
  }
  const held = s.flush();
  return { replies, passthrough: Buffer.concat([...pass, held]), held: held.length };
}

/** Typing mixed with replies, fake replies (999;999, 0;0, six digits) and their pieces. */
const input = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
      fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99999 })).map(([r, c]) => Buffer.from(`\x1b[${r};${c}R`)),
      fc.constantFrom('\x1b', '\x1b[', '\x1b[999;999R', '\x1b[0;0R', '\x1b[123456;1R', '\x1b[1;R', ';', 'R', '\x1b[12;').map((s) => Buffer.from(s, 'latin1')),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts));

/** The replies in a whole stream, read left to right: ESC [ 1-5 digits ; 1-5 digits R. */
function reference(stream: Buffer): { replies: CursorPosition[]; rest: Buffer } {
  const replies: CursorPosition[] = [];
  const rest = stream.toString('latin1').replace(/\x1b\[(\d{1,5});(\d{1,5})R/g, (_m, r: string, c: string) => {
    replies.push({ row: Number(r), col: Number(c) });
    return '';
  });
  return { replies, rest: Buffer.from(rest, 'latin1') };
}

describe('CprScanner under fuzzing', () => {
  it('finds exactly the well-formed replies, however the input is cut, and passes everything else through in order', () => {
    fuzz(
      fc.property(input, cutPoints, (bytes, cuts) => {
        const got = scan(splitAt(bytes, cuts));
        const want = reference(bytes);
        assert.deepEqual(got.replies, want.replies);
        assert.deepEqual(got.passthrough, want.rest);
      }),
      300,
    );
  });

  it('never holds more than one reply\'s length, wherever the input stops', () => {
    fuzz(
      fc.property(input, cutPoints, (bytes, cuts) => {
        assert.ok(scan(splitAt(bytes, cuts)).held <= MAX_CPR_LENGTH);
      }),
      150,
    );
  });
});
