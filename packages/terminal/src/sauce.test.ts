import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCarrierError } from '@carrier/core';
import { appendSauce, buildSauce, parseSauce, SAUCE_RECORD_SIZE } from './sauce.js';

const ART = Buffer.from('\x1b[1;33mHello\x1b[0m\r\n', 'latin1');

test('a valid record is parsed field by field and the content ends before the 0x1A', () => {
  const file = appendSauce(ART, {
    title: 'Main menu', author: 'sysop', group: 'carrier', date: '20240131',
    tinfo1: 80, tinfo2: 25, iceColors: true, letterSpacing: 2, aspectRatio: 1, tinfos: 'IBM VGA',
  });
  const { sauce, comments, contentLength } = parseSauce(file);
  assert.equal(contentLength, ART.length);
  assert.deepEqual(comments, []);
  assert.deepEqual(sauce, {
    title: 'Main menu', author: 'sysop', group: 'carrier', date: '20240131',
    fileSize: ART.length, dataType: 1, fileType: 1,
    tinfo1: 80, tinfo2: 25, tinfo3: 0, tinfo4: 0,
    flags: 0b01101, iceColors: true, letterSpacing: 2, aspectRatio: 1, tinfos: 'IBM VGA',
  });
});

test('the record sits in the last 128 bytes, after one 0x1A', () => {
  const tail = buildSauce({ fileSize: 5 });
  assert.equal(tail.length, 1 + SAUCE_RECORD_SIZE);
  assert.equal(tail[0], 0x1a);
  assert.equal(tail.subarray(1, 8).toString('latin1'), 'SAUCE00');
});

test('comments are read from the COMNT block and the content ends before it', () => {
  const file = appendSauce(ART, { title: 'x', comments: ['first line', 'second ─ line'] });
  const { sauce, comments, contentLength } = parseSauce(file);
  assert.ok(sauce);
  assert.deepEqual(comments, ['first line', 'second ─ line']);
  assert.equal(contentLength, ART.length);
});

test('strings are CP437, right-trimmed of spaces and NULs, with control bytes as glyphs', () => {
  const file = appendSauce(ART, {});
  const rec = file.length - SAUCE_RECORD_SIZE;
  file.fill(0, rec + 7, rec + 42);
  file.write('\x82t\x03', rec + 7, 'latin1');
  assert.equal(parseSauce(file).sauce?.title, 'ét♥');
});

test('a file size that counts the 0x1A is accepted as well', () => {
  const file = Buffer.concat([ART, buildSauce({ fileSize: ART.length + 1 })]);
  assert.ok(parseSauce(file).sauce);
});

test('a file size that does not match the content means no SAUCE, but the record is still not content', () => {
  const file = Buffer.concat([ART, buildSauce({ fileSize: ART.length + 7, iceColors: true })]);
  const r = parseSauce(file);
  assert.equal(r.sauce, undefined);
  assert.deepEqual(r.comments, []);
  assert.equal(r.contentLength, ART.length);
});

test('a comment count with no COMNT block where it says means no SAUCE', () => {
  const file = appendSauce(ART, { comments: ['one'] });
  const rec = file.length - SAUCE_RECORD_SIZE;
  file.writeUInt8(3, rec + 104);
  const r = parseSauce(file);
  assert.equal(r.sauce, undefined);
  assert.deepEqual(r.comments, []);
});

test('a comment count larger than the file means no SAUCE', () => {
  const file = buildSauce({ fileSize: 0 });
  file.writeUInt8(255, file.length - SAUCE_RECORD_SIZE + 104);
  assert.equal(parseSauce(file).sauce, undefined);
});

test('a truncated record is no SAUCE and the bytes stay content', () => {
  const file = appendSauce(ART, { title: 'cut' });
  const cut = file.subarray(0, file.length - 20);
  const r = parseSauce(cut);
  assert.equal(r.sauce, undefined);
  assert.equal(r.contentLength, cut.length);
});

test('a file without SAUCE is all content, less a final 0x1A', () => {
  assert.deepEqual(parseSauce(ART), { comments: [], contentLength: ART.length });
  assert.deepEqual(parseSauce(Buffer.concat([ART, Buffer.from([0x1a])])), { comments: [], contentLength: ART.length });
  assert.deepEqual(parseSauce(Buffer.alloc(0)), { comments: [], contentLength: 0 });
});

test('a record with another version is not SAUCE 00', () => {
  const file = appendSauce(ART, {});
  file.write('01', file.length - SAUCE_RECORD_SIZE + 5, 'latin1');
  assert.equal(parseSauce(file).sauce, undefined);
});

test('garbage of every length is never trusted and never throws', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (arr, withSignature) => {
      const buf = Buffer.from(arr);
      if (withSignature && buf.length >= SAUCE_RECORD_SIZE) buf.write('SAUCE00', buf.length - SAUCE_RECORD_SIZE, 'latin1');
      const r = parseSauce(buf);
      assert.ok(r.contentLength >= 0 && r.contentLength <= buf.length);
      if (r.sauce) {
        assert.ok(r.sauce.fileSize === r.contentLength || r.sauce.fileSize === r.contentLength + 1);
      }
    }),
    { numRuns: 3000 },
  );
});

test('what buildSauce writes, parseSauce reads back', () => {
  fc.assert(
    fc.property(
      fc.record({
        title: fc.string({ maxLength: 35 }).map((s) => s.replace(/[^ -~]/g, 'x').trimEnd()),
        tinfo1: fc.integer({ min: 0, max: 0xffff }),
        iceColors: fc.boolean(),
        comments: fc.array(fc.string({ maxLength: 64 }).map((s) => s.replace(/[^ -~]/g, 'y').trimEnd()), { maxLength: 4 }),
      }),
      fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a.map((b) => (b === 0x1a ? 0x20 : b)))),
      (fields, content) => {
        const r = parseSauce(appendSauce(content, fields));
        assert.equal(r.contentLength, content.length);
        assert.equal(r.sauce?.title, fields.title);
        assert.equal(r.sauce?.tinfo1, fields.tinfo1);
        assert.equal(r.sauce?.iceColors, fields.iceColors);
        assert.deepEqual(r.comments, fields.comments);
      },
    ),
    { numRuns: 500 },
  );
});

test('buildSauce refuses values its fields cannot hold', () => {
  const bad: Parameters<typeof buildSauce>[0][] = [
    { fileSize: -1 },
    { fileSize: 2 ** 32 },
    { fileSize: 1, tinfo1: 70000 },
    { fileSize: 1, letterSpacing: 4 },
    { fileSize: 1, date: '2024-01-31' },
    { fileSize: 1, comments: new Array(256).fill('x') },
  ];
  for (const fields of bad) assert.throws(() => buildSauce(fields), (e) => isCarrierError(e, 'VALIDATION'), JSON.stringify(fields).slice(0, 60));
});

test('a Date is written as its UTC CCYYMMDD', () => {
  const file = appendSauce(ART, { date: new Date(Date.UTC(1994, 6, 4, 23)) });
  assert.equal(parseSauce(file).sauce?.date, '19940704');
});
