// Fuzzing the message editor's model: whatever keys a caller sends in whatever order
// (typing, Enter, the deletes, arrows, Ctrl-Y, Insert), nothing throws, the cursor stays
// on the text, no line is wider than the text area (but for spaces the wrap left at its
// end), and the byte count is the body's. Reflow moves words between the lines of a
// paragraph, so these hold after every key, not only at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../../../../tools/fuzz/fuzz-settings.js';
import { KeyDecoder } from '../keys.js';
import { MessageEditor, displayWidth } from './editor.js';

const KEYS = ['a', 'bb', 'ccc ', ' ', '  ', 'word ', '漢', '\r', '\x7f', '\x1b[3~', '\x1b[A', '\x1b[B', '\x1b[C', '\x1b[D', '\x1b[H', '\x1b[F', '\x19', '\x1b[2~', '\t'];

describe('message editor (fuzz)', () => {
  it('keeps its lines, cursor and byte count consistent after every key', () => {
    fuzz(
      fc.property(fc.integer({ min: 6, max: 30 }), fc.integer({ min: 2, max: 8 }), fc.array(fc.constantFrom(...KEYS), { maxLength: 300 }), (width, maxLines, keys) => {
        const editor = new MessageEditor({ width, height: 5, maxLines, maxBytes: 400 });
        const decoder = new KeyDecoder();
        for (const k of keys) {
          for (const key of [...decoder.push(k), ...(decoder.pendingEscape ? decoder.flush() : [])]) editor.feed(key);
          const lines = Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
          assert.ok(editor.lineCount <= maxLines);
          const { row, col } = editor.cursor;
          assert.ok(row >= 0 && row < lines.length && col >= 0 && col <= [...lines[row]!].length, `cursor ${row},${col} in ${JSON.stringify(lines)}`);
          for (const l of lines) assert.ok(displayWidth(l.replace(/ +$/, '')) <= width - 1, `${JSON.stringify(l)} wider than ${width - 1}`);
          assert.equal(editor.byteCount, Buffer.byteLength(lines.join('\n')));
        }
      }),
      300,
    );
  });
});
