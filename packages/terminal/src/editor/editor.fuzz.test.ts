// Fuzzing the message editor's model: whatever keys a caller sends in whatever order
// (typing, Enter, the deletes, arrows, Ctrl-Y, Insert), at whatever width and line cap,
// nothing throws, the cursor stays on the text, no line is wider than the text area (but
// for spaces the wrap left at its end), the byte count is the body's, and every paragraph
// is reflowed: where the wrap broke a line, the next line's first word did not fit on it
// (unless that word is longer than a line and was cut at the edge, on a line of its own,
// where the next character would not fit).
// And reflow never loses, adds or moves a character: read as text (a soft break is the
// space the wrap broke at, or nothing inside a word longer than a line; Enter is a line
// break), the message after each key is the message before it with that key applied where
// the caller sees the cursor, which never stands past a line's text (the unseen space a
// wrapped line ends with is its break, not a place to type).
// These hold after every key, not only at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../../../../tools/fuzz/fuzz-settings.js';
import { KeyDecoder, type Key } from '../keys.js';
import { MessageEditor, displayWidth } from './editor.js';

const KEYS = ['a', 'bb', 'ccc ', ' ', '  ', 'word ', '漢', '\r', '\x7f', '\x1b[3~', '\x1b[A', '\x1b[B', '\x1b[C', '\x1b[D', '\x1b[H', '\x1b[F', '\x19', '\x1b[2~', '\t'];

interface Reading {
  /** The message as code points: lines joined by their breaks. */
  text: string[];
  /** Where each line starts in `text`, and how many characters of it the caller sees (its break's space not counted). */
  starts: number[];
  shown: number[];
}

/** The message as the caller reads it: a wrapped line's last space is its break, a word cut at the edge runs on. */
function read(editor: MessageEditor): Reading {
  const text: string[] = [];
  const starts: number[] = [];
  const shown: number[] = [];
  for (let i = 0; i < editor.lineCount; i++) {
    const chars = [...editor.line(i)];
    const soft = editor.wrapped(i);
    const brokenAtSpace = soft && chars[chars.length - 1] === ' ';
    starts.push(text.length);
    shown.push(brokenAtSpace ? chars.length - 1 : chars.length);
    text.push(...chars);
    if (!soft && i < editor.lineCount - 1) text.push('\n');
  }
  return { text, starts, shown };
}

/** The message after `key`, typed where the caller sees the cursor; undefined where the key changes no text. */
function expected(editor: MessageEditor, before: Reading, key: Key): { text: string[]; at: number } | undefined {
  const { row, col } = editor.cursor;
  const at = before.starts[row]! + Math.min(col, before.shown[row]!);
  const lineEnd = before.starts[row]! + before.shown[row]!;
  const t = [...before.text];
  if (key.name === 'char' && !key.ctrl && !key.alt && key.ch !== undefined) {
    if (!editor.insert && at < lineEnd) t[at] = key.ch;
    else t.splice(at, 0, key.ch);
    return { text: t, at: at + 1 };
  }
  if (key.name === 'tab' && editor.insert) {
    const n = 4 - (editor.cursorColumn % 4);
    t.splice(at, 0, ...' '.repeat(n));
    return { text: t, at: at + n };
  }
  if (key.name === 'enter') {
    // Enter at the end of a wrapped line's text makes its break a hard one (the space goes).
    if (editor.wrapped(row) && at === lineEnd && lineEnd < before.starts[row + 1]!) t[at] = '\n';
    else t.splice(at, 0, '\n');
    return { text: t, at: at + 1 };
  }
  if (key.name === 'backspace') {
    if (at > 0) t.splice(at - 1, 1);
    return { text: t, at: Math.max(0, at - 1) };
  }
  if (key.name === 'delete') {
    t.splice(at, 1);
    return { text: t, at };
  }
  return undefined;
}

/** Types `keys` into an editor, checking it after each. */
function typeAndCheck(width: number, maxLines: number, keys: readonly string[]): void {
  const editor = new MessageEditor({ width, height: 5, maxLines, maxBytes: 400 });
  const decoder = new KeyDecoder();
  const typed: string[] = [];
  for (const k of keys) {
    typed.push(k);
    for (const key of [...decoder.push(k), ...(decoder.pendingEscape ? decoder.flush() : [])]) {
      const before = read(editor);
      const want = expected(editor, before, key);
      const out = editor.feed(key);
      const lines = Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
      const state = `${JSON.stringify(lines)} after ${JSON.stringify(typed)} at width ${width}, cap ${maxLines}`;
      assert.ok(editor.lineCount <= maxLines, state);
      const { row, col } = editor.cursor;
      const now = read(editor);
      assert.ok(row >= 0 && row < lines.length && col >= 0 && col <= now.shown[row]!, `cursor ${row},${col} past the text in ${state}`);
      for (const l of lines) assert.ok(displayWidth(l.replace(/ +$/, '')) <= width - 1, `${JSON.stringify(l)} too wide in ${state}`);
      for (let i = 0; i + 1 < lines.length; i++) {
        if (!editor.wrapped(i)) continue;
        const word = /^ *[^ ]+/.exec(lines[i + 1]!)?.[0];
        // (a word that fills its line and runs on into the next is longer than a line: cut at the edge)
        const cut = word === lines[i + 1] && editor.wrapped(i + 1);
        if (word !== undefined && !cut) assert.ok(displayWidth(lines[i]! + word) > width - 1, `${JSON.stringify(word)} fits on line ${i} in ${state}`);
        // a line broken inside a word (one wider than a line) holds that word alone, cut where the next character would not fit
        const next = [...lines[i + 1]!][0];
        if (!lines[i]!.endsWith(' ') && next !== undefined && next !== ' ') {
          const broken = /[^ ]*$/.exec(lines[i]!)![0] + /^[^ ]*/.exec(lines[i + 1]!)![0];
          assert.ok(!lines[i]!.includes(' '), `line ${i} broken inside ${JSON.stringify(broken)} after another word in ${state}`);
          assert.ok(displayWidth(lines[i]! + next) > width - 1, `line ${i} cut short in ${state}`);
        }
      }
      assert.equal(editor.byteCount, Buffer.byteLength(lines.join('\n')), state);
      if (want === undefined) continue;
      // a key refused at a bound (a bell) changes nothing
      const refused = out.kind === 'continue' && out.bell === true;
      const got = now.text.join('');
      const at = now.starts[row]! + Math.min(col, now.shown[row]!);
      if (refused && got === before.text.join('')) continue;
      // (a Tab's spaces go in one by one, as many as fit before a bound)
      if (key.name === 'tab') {
        const start = want.at - (want.text.length - before.text.length);
        const part = [...before.text];
        part.splice(start, 0, ...' '.repeat(Math.max(0, at - start)));
        if (at >= start && at <= want.at && got === part.join('')) continue;
      }
      assert.equal(got, want.text.join(''), `text after ${JSON.stringify(key)} in ${state}`);
      assert.equal(at, want.at, `cursor after ${JSON.stringify(key)} in ${state}`);
    }
  }
}

describe('message editor (fuzz)', () => {
  it('keeps its lines, cursor, byte count and paragraphs consistent, and every character typed, after every key', () => {
    fuzz(fc.property(fc.integer({ min: 6, max: 30 }), fc.integer({ min: 2, max: 8 }), fc.array(fc.constantFrom(...KEYS), { maxLength: 300 }), typeAndCheck), 300);
  });

  it('a space typed into a word on a wrapped line lets its first part go up to the line above', () => {
    typeAndCheck(6, 3, ['a', '\r', '\x19', 'a', '漢', 'a', '\t', '\x7f', 'ccc ']);
  });

  it('a space and a word typed at the end of a full wrapped line keep their space (the End key stops before the break)', () => {
    typeAndCheck(20, 8, ['word ', 'word ', 'word ', 'word ', 'word ', '\x1b[A', '\x1b[F', ' ', 'bb']);
  });
});
