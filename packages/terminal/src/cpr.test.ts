import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CprScanner, type CursorPosition } from './cpr.js';

function scanChunks(chunks: Buffer[]): { replies: CursorPosition[]; rest: Buffer } {
  const s = new CprScanner();
  const replies: CursorPosition[] = [];
  const rest: Buffer[] = [];
  for (const c of chunks) {
    const r = s.push(c);
    replies.push(...r.replies);
    rest.push(r.passthrough);
  }
  rest.push(s.flush());
  return { replies, rest: Buffer.concat(rest) };
}

test('a position report is taken out and the keys around it pass through in order', () => {
  const { replies, rest } = scanChunks([Buffer.from('ab\x1b[24;80Rcd')]);
  assert.deepEqual(replies, [{ row: 24, col: 80 }]);
  assert.equal(rest.toString(), 'abcd');
});

test('a report split at every byte is still one report', () => {
  const bytes = Buffer.from('x\x1b[12;345Ry');
  for (let cut = 0; cut <= bytes.length; cut++) {
    const { replies, rest } = scanChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(replies, [{ row: 12, col: 345 }], `cut at ${cut}`);
    assert.equal(rest.toString(), 'xy');
  }
});

test('other escape sequences are not reports and pass through whole', () => {
  for (const seq of ['\x1b[A', '\x1b[1;5A', '\x1b[12;R', '\x1b[;5R', '\x1b[1;2;3R', '\x1bOP', '\x1b[123456;1R', '\x1b\x1b[2;3R']) {
    const { replies, rest } = scanChunks([Buffer.from(seq)]);
    const expectReply = seq === '\x1b\x1b[2;3R';
    assert.deepEqual(replies, expectReply ? [{ row: 2, col: 3 }] : [], JSON.stringify(seq));
    assert.equal(rest.toString(), expectReply ? '\x1b' : seq, JSON.stringify(seq));
  }
});

test('an unfinished report at the end is handed back by flush', () => {
  const { replies, rest } = scanChunks([Buffer.from('q\x1b[12;')]);
  assert.deepEqual(replies, []);
  assert.equal(rest.toString(), 'q\x1b[12;');
});

test('whatever the input and however it is split, non-report bytes come back unchanged', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.constantFrom('\x1b[', '\x1b[3;4R', ';', 'R', '7').map((s) => Buffer.from(s))), { maxLength: 12 }), (parts) => {
      const chunks = parts.map((p) => Buffer.from(p));
      const whole = scanChunks([Buffer.concat(chunks)]);
      const split = scanChunks(chunks);
      assert.deepEqual(split, whole);
      const reportBytes = whole.replies.reduce((n, r) => n + `\x1b[${r.row};${r.col}R`.length, 0);
      assert.ok(whole.rest.length + reportBytes <= Buffer.concat(chunks).length);
    }),
    { numRuns: 2000 },
  );
});
