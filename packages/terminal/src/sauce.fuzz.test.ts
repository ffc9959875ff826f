// Fuzzing the SAUCE parser: art comes from archives of unknown origin, so any file, and
// any file with a damaged or lying record at its end, must parse without an exception
// into bounded metadata; a record carrier writes must read back field for field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../../../tools/fuzz/fuzz-settings.js';
import { decodeCp437Glyphs } from './cp437.js';
import { appendSauce, parseSauce, SAUCE_COMMENT_LINE_SIZE, SAUCE_RECORD_SIZE, type SauceFields } from './sauce.js';

/** The record's limits, whatever the file claims: 255 comment lines of 64 characters. */
function assertBounded(buf: Buffer): void {
  const r = parseSauce(buf);
  assert.ok(r.contentLength >= 0 && r.contentLength <= buf.length);
  assert.ok(r.comments.length <= 255);
  for (const c of r.comments) assert.ok([...c].length <= SAUCE_COMMENT_LINE_SIZE);
  if (r.sauce) {
    const s = r.sauce;
    assert.ok(s.fileSize === r.contentLength || s.fileSize === r.contentLength + 1, 'a record is believed only when its size matches');
    assert.ok([...s.title].length <= 35 && [...s.author].length <= 20 && [...s.group].length <= 20 && [...s.date].length <= 8 && [...s.tinfos].length <= 22);
    // Shown to callers: never a control character, whatever bytes the file held.
    for (const text of [s.title, s.author, s.group, s.date, s.tinfos, ...r.comments]) assert.doesNotMatch(text, /[\x00-\x1f\x7f]/);
    assert.ok(r.contentLength + SAUCE_RECORD_SIZE <= buf.length);
  }
}

/** A tail that looks like SAUCE: the signature, then random (often plausible) bytes. */
const forgedTail = fc
  .tuple(
    fc.uint8Array({ minLength: SAUCE_RECORD_SIZE - 7, maxLength: SAUCE_RECORD_SIZE - 7 }),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 0xffffffff }),
  )
  .map(([rest, comments, fileSize]) => {
    const rec = Buffer.concat([Buffer.from('SAUCE00', 'latin1'), Buffer.from(rest)]);
    rec.writeUInt8(comments, 104);
    rec.writeUInt32LE(fileSize, 90);
    return rec;
  });

describe('parseSauce under fuzzing', () => {
  it('parses any bytes at all into bounded metadata without an exception', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => assertBounded(Buffer.from(bytes))),
      200,
    );
  });

  it('parses a forged record (any comment count, any size, a COMNT block or not) into bounded metadata', () => {
    fuzz(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.option(fc.integer({ min: 0, max: 300 })),
        fc.boolean(),
        forgedTail,
        (content, comntLines, eof, tail) => {
          const comnt = comntLines === null ? [] : [Buffer.from('COMNT', 'latin1'), Buffer.alloc(comntLines * SAUCE_COMMENT_LINE_SIZE, 0x41)];
          const buf = Buffer.concat([Buffer.from(content), ...(eof ? [Buffer.from([0x1a])] : []), ...comnt, tail]);
          // Half the time, make the record's numbers agree with the file, so the parse goes all the way.
          if (content.length % 2 === 0) {
            const rec = buf.length - SAUCE_RECORD_SIZE;
            buf.writeUInt8(Math.min(comntLines ?? 0, 255), rec + 104);
            buf.writeUInt32LE(content.length, rec + 90);
          }
          assertBounded(buf);
        },
      ),
      100,
    );
  });

  /** CP437 text as a field holds it: any byte but NUL, not ending in a space (writers pad with those). */
  const cp437Text = (max: number) =>
    fc
      .uint8Array({ maxLength: max })
      .map((b) => decodeCp437Glyphs(Buffer.from(b.filter((x) => x !== 0))).replace(/ +$/, ''));

  const fields: fc.Arbitrary<Omit<SauceFields, 'fileSize'>> = fc.record({
    title: cp437Text(35),
    author: cp437Text(20),
    group: cp437Text(20),
    date: fc.oneof(fc.constant(''), fc.stringMatching(/^\d{8}$/)),
    dataType: fc.integer({ min: 0, max: 255 }),
    fileType: fc.integer({ min: 0, max: 255 }),
    tinfo1: fc.integer({ min: 0, max: 0xffff }),
    tinfo2: fc.integer({ min: 0, max: 0xffff }),
    tinfo3: fc.integer({ min: 0, max: 0xffff }),
    tinfo4: fc.integer({ min: 0, max: 0xffff }),
    iceColors: fc.boolean(),
    letterSpacing: fc.integer({ min: 0, max: 3 }),
    aspectRatio: fc.integer({ min: 0, max: 3 }),
    tinfos: cp437Text(22),
    comments: fc.array(cp437Text(64), { maxLength: 255 }),
  });

  it('reads back every field of a record appended to any content', () => {
    fuzz(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fields, (content, f) => {
        const r = parseSauce(appendSauce(Buffer.from(content), f));
        assert.equal(r.contentLength, content.length);
        assert.deepEqual(r.comments, f.comments);
        const s = r.sauce;
        assert.ok(s, 'the record was not believed');
        assert.deepEqual(
          [s.title, s.author, s.group, s.date, s.tinfos, s.fileSize],
          [f.title, f.author, f.group, f.date, f.tinfos, content.length],
        );
        assert.deepEqual(
          [s.dataType, s.fileType, s.tinfo1, s.tinfo2, s.tinfo3, s.tinfo4, s.iceColors, s.letterSpacing, s.aspectRatio],
          [f.dataType, f.fileType, f.tinfo1, f.tinfo2, f.tinfo3, f.tinfo4, f.iceColors, f.letterSpacing, f.aspectRatio],
        );
      }),
      150,
    );
  });
});
