// Fuzzing the message editor's model: whatever keys a caller sends in whatever order
// (typing, Enter, the deletes, arrows, Ctrl-Y, Insert), at whatever width and line cap,
// nothing throws, the cursor stays on the text, no line is wider than the text area (but
// for spaces the wrap left at its end), the byte count is the body's, and every paragraph
// is reflowed: where the wrap broke a line, the next line's first word did not fit on it
// (unless that word is longer than a line and was cut at the edge).
// These hold after every key, not only at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../../../../tools/fuzz/fuzz-settings.js';
import { KeyDecoder } from '../keys.js';
import { MessageEditor, displayWidth } from './editor.js';

const KEYS = ['a', 'bb', 'ccc ', ' ', '  ', 'word ', '漢', '\r', '\x7f', '\x1b[3~', '\x1b[A', '\x1b[B', '\x1b[C', '\x1b[D', '\x1b[H', '\x1b[F', '\x19', '\x1b[2~', '\t'];

/** Types `keys` into an editor, checking it after each. */
function typeAndCheck(width: number, maxLines: number, keys: readonly string[]): void {
  const editor = new MessageEditor({ width, height: 5, maxLines, maxBytes: 400 });
  const decoder = new KeyDecoder();
  for (const k of keys) {
    for (const key of [...decoder.push(k), ...(decoder.pendingEscape ? decoder.flush() : [])]) editor.feed(key);
    const lines = Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    const state = `${JSON.stringify(lines)} after ${JSON.stringify(keys)} at width ${width}, cap ${maxLines}`;
    assert.ok(editor.lineCount <= maxLines, state);
    const { row, col } = editor.cursor;
    assert.ok(row >= 0 && row < lines.length && col >= 0 && col <= [...lines[row]!].length, `cursor ${row},${col} in ${state}`);
    for (const l of lines) assert.ok(displayWidth(l.replace(/ +$/, '')) <= width - 1, `${JSON.stringify(l)} too wide in ${state}`);
    for (let i = 0; i + 1 < lines.length; i++) {
      const word = /^ *[^ ]+/.exec(lines[i + 1]!)?.[0];
      // (a word that fills its line and runs on into the next is longer than a line: cut at the edge)
      const cut = word === lines[i + 1] && editor.wrapped(i + 1);
      if (editor.wrapped(i) && word !== undefined && !cut) assert.ok(displayWidth(lines[i]! + word) > width - 1, `${JSON.stringify(word)} fits on line ${i} in ${state}`);
    }
    assert.equal(editor.byteCount, Buffer.byteLength(lines.join('\n')), state);
  }
}

describe('message editor (fuzz)', () => {
  it('keeps its lines, cursor, byte count and paragraphs consistent after every key', () => {
    fuzz(fc.property(fc.integer({ min: 6, max: 30 }), fc.integer({ min: 2, max: 8 }), fc.array(fc.constantFrom(...KEYS), { maxLength: 300 }), typeAndCheck), 300);
  });

  it('a space typed into a word on a wrapped line lets its first part go up to the line above', () => {
    typeAndCheck(6, 3, ['a', '\r', '\x19', 'a', '漢', 'a', '\t', '\x7f', 'ccc ']);
  });
});
