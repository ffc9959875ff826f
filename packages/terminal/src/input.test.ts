import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InputTextDecoder } from './input.js';

test('ASCII passes through unchanged', () => {
  assert.equal(new InputTextDecoder('utf8').push(Buffer.from('hello\r')), 'hello\r');
});

test('a UTF-8 character split across two reads is held, then decoded whole', () => {
  const d = new InputTextDecoder('utf8');
  assert.equal(d.push(Buffer.from([0x61, 0xc3])), 'a');
  assert.equal(d.pendingBytes, 1);
  assert.equal(d.push(Buffer.from([0xa9, 0x62])), 'éb');
  assert.equal(d.pendingBytes, 0);
});

test('a four-byte character decodes the same whichever byte the split falls after', () => {
  const bytes = Buffer.from('x😀y', 'utf8');
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new InputTextDecoder('utf8');
    const text = d.push(bytes.subarray(0, cut)) + d.push(bytes.subarray(cut));
    assert.equal(text, 'x😀y', `cut at ${cut}`);
  }
});

test('invalid UTF-8 becomes U+FFFD and decoding continues', () => {
  const d = new InputTextDecoder('utf8');
  assert.equal(d.push(Buffer.from([0x41, 0xff, 0x42, 0xc3, 0x28])), 'A\ufffdB\ufffd(');
});

test('an unfinished character is shown as U+FFFD when the caller flushes', () => {
  const d = new InputTextDecoder('utf8');
  assert.equal(d.push(Buffer.from([0xe2, 0x94])), '');
  assert.equal(d.flush(), '\ufffd');
  assert.equal(d.flush(), '');
});

test('CP437 input decodes through the CP437 table and keeps control bytes', () => {
  const d = new InputTextDecoder('cp437');
  assert.equal(d.push(Buffer.from([0x82, 0x1b, 0x5b, 0x41, 0x0d])), 'é\x1b[A\r');
});

test('bytes held for UTF-8 are decoded as CP437 after the encoding switches', () => {
  const d = new InputTextDecoder('utf8');
  assert.equal(d.push(Buffer.from([0xc3])), '');
  d.setEncoding('cp437');
  assert.equal(d.encoding, 'cp437');
  assert.equal(d.push(Buffer.from([0x41])), '├A');
});

test('any bytes split anywhere decode exactly like the whole stream, holding at most 3 bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(64), { maxLength: 8 }), (arr, cuts) => {
      const bytes = Buffer.from(arr);
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const d = new InputTextDecoder('utf8');
      let text = '';
      let from = 0;
      for (const p of [...points, bytes.length]) {
        text += d.push(bytes.subarray(from, p));
        assert.ok(d.pendingBytes <= 3);
        from = p;
      }
      text += d.flush();
      assert.equal(text, bytes.toString('utf8'));
    }),
    { numRuns: 2000 },
  );
});
