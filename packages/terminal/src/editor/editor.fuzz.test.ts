// Fuzzing the message editor's model: whatever keys a caller sends in whatever order
// (typing, Enter, the deletes, arrows, Ctrl-Y, Tab in insert and overwrite mode, Insert,
// the help screen, and window resizes between them), at whatever width and line cap,
// nothing throws, no key adds a line past the cap (a resize re-wraps past it if it must,
// and keys then add none), the cursor stays on the text, no line is wider than the text area (but
// for spaces the wrap left at its end), the byte count is the body's, and every paragraph
// is reflowed: where the wrap broke a line, the next line's first word did not fit on it
// (unless that word is longer than a line and was cut at the edge, on a line of its own,
// where the next character would not fit).
// And reflow never loses, adds or moves a character: read as text (a soft break is the
// space the wrap broke at, or nothing inside a word longer than a line; Enter is a line
// break), the message after each key is the message before it with that key applied where
// the caller sees the cursor, which never stands past a line's text (the unseen space a
// wrapped line ends with is its break, not a place to type). Ctrl-Y takes the cursor's
// line and its break; Tab in overwrite mode moves along the text to the next stop (padding
// past its end) and types over nothing; a key on the help screen changes no text; a resize
// changes no text and keeps the cursor on its character; but a quoted line (typed `AB> `) is
// broken into rows that each start with its marks, and joined again wider: read as a wider
// window joins them (a row's carried marks dropped, the space it broke at back), the text
// and the cursor's character are the same.
// These hold after every key, not only at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../../../../tools/fuzz/fuzz-settings.js';
import { KeyDecoder, type Key } from '../keys.js';
import { charWidth } from '../text-width.js';
import { MessageEditor, displayWidth } from './editor.js';

/** Keys as a terminal sends them, and `resize:N` (the window becomes N columns wide). */
const KEYS = [
  'a', 'bb', 'ccc ', 'AB> ', ' ', '  ', 'word ', '漢', '\r', '\x7f', '\x1b[3~', '\x1b[A', '\x1b[B', '\x1b[C', '\x1b[D', '\x1b[H', '\x1b[F',
  '\x19', '\x19', '\x1b[2~', '\x1b[2~', '\t', '\t', '\x0b', '\x1bOP', 'resize:6', 'resize:9', 'resize:14', 'resize:30',
];

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

/**
 * The message after `key`, typed where the caller sees the cursor (`at` undefined: the
 * cursor is not checked); undefined where the key changes no text.
 */
function expected(editor: MessageEditor, before: Reading, key: Key): { text: string[]; at: number | undefined } | undefined {
  const { row, col } = editor.cursor;
  const at = before.starts[row]! + Math.min(col, before.shown[row]!);
  const lineEnd = before.starts[row]! + before.shown[row]!;
  const t = [...before.text];
  if (editor.mode !== 'edit') return { text: t, at: undefined };
  if (key.name === 'char' && key.ctrl && key.ch === 'y') {
    // The line goes with its break. A line above that ran on into it ends where it did (its
    // break is that line's); a word cut at the edge there is not glued to what comes up.
    const start = before.starts[row]!;
    const chars = [...editor.line(row)].length;
    const last = row === editor.lineCount - 1;
    const soft = editor.wrapped(row);
    const aboveSoft = row > 0 && editor.wrapped(row - 1);
    if (last && row > 0 && !aboveSoft) t.splice(start - 1, chars + 1);
    else if (!last && !soft && !aboveSoft) t.splice(start, chars + 1);
    else t.splice(start, chars);
    if (aboveSoft && soft && !last) {
      const end = [...editor.line(row - 1)].at(-1);
      const next = [...editor.line(row + 1)][0];
      if (end !== undefined && end !== ' ' && next !== undefined && next !== ' ') t.splice(start, 0, '\n');
    }
    return { text: t, at: undefined };
  }
  if (key.name === 'tab' && !editor.insert) {
    const chars = [...editor.line(row)];
    let c = col;
    let w = editor.cursorColumn;
    const target = w + 4 - (w % 4);
    while (c < before.shown[row]! && w < target) w += charWidth(chars[c++]!);
    const pad = Math.max(0, target - w);
    t.splice(at + (c - col), 0, ...' '.repeat(pad));
    return { text: t, at: at + (c - col) + pad };
  }
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

/**
 * The message as a wider window joins it (carriedMarks): a row the re-wrap broke out of a
 * quoted line goes on the line above without its marks, the space it broke at back; the
 * cursor on those marks is at the start of the row's text.
 */
function flowed(editor: MessageEditor): { text: string; at: number } {
  const carried = editor.carriedMarks();
  const { row, col } = editor.cursor;
  let text = '';
  let at = 0;
  for (let i = 0; i < editor.lineCount; i++) {
    const { marks, space } = carried[i]!;
    if (i > 0) text += marks > 0 ? (space ? ' ' : '') : editor.wrapped(i - 1) ? '' : '\n';
    const chars = [...editor.line(i)];
    if (i === row) at = [...text].length + Math.max(0, Math.min(col, chars.length) - marks);
    text += chars.slice(marks).join('');
  }
  return { text, at };
}

/** Where the cursor is in the message as read. */
function cursorAt(editor: MessageEditor, reading: Reading): number {
  const { row, col } = editor.cursor;
  return reading.starts[row]! + Math.min(col, reading.shown[row]!);
}

/** Lines, cursor, byte count and paragraphs consistent (see the top of the file); the editor's lines and its reading. */
function checkEditor(editor: MessageEditor, maxLines: number, state: string): { lines: string[]; now: Reading } {
  const width = editor.width;
  const lines = Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
  assert.ok(editor.lineCount <= maxLines, state);
  const { row, col } = editor.cursor;
  const now = read(editor);
  assert.ok(row >= 0 && row < lines.length && col >= 0 && col <= now.shown[row]!, `cursor ${row},${col} past the text in ${state}`);
  assert.ok(row >= editor.top && row < editor.top + editor.height, `cursor row ${row} off the screen (top ${editor.top}) in ${state}`);
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
  return { lines, now };
}

/** Types `keys` into an editor, checking it after each. */
function typeAndCheck(width: number, maxLines: number, keys: readonly string[]): void {
  const editor = new MessageEditor({ width, height: 5, maxLines, maxBytes: 400 });
  const decoder = new KeyDecoder();
  const typed: string[] = [];
  for (const k of keys) {
    typed.push(k);
    const resize = /^resize:(\d+)$/.exec(k);
    if (resize) {
      const before = flowed(editor);
      editor.resize(Number(resize[1]), 5);
      // (a narrower window re-wraps the text past the cap, if it must: its lines are shown whole)
      checkEditor(editor, Number.POSITIVE_INFINITY, `${JSON.stringify(typed)} from width ${width}, cap ${maxLines}`);
      const now = flowed(editor);
      assert.equal(now.text, before.text, `text after ${k} of ${JSON.stringify(typed)}`);
      assert.equal(now.at, before.at, `cursor after ${k} of ${JSON.stringify(typed)}`);
      continue;
    }
    for (const key of [...decoder.push(k), ...(decoder.pendingEscape ? decoder.flush() : [])]) {
      const before = read(editor);
      const want = expected(editor, before, key);
      // a key adds no line past the cap (or past the lines a resize left over it)
      const cap = Math.max(maxLines, editor.lineCount);
      const out = editor.feed(key);
      const state = `after ${JSON.stringify(typed)} at width ${width}, cap ${maxLines}`;
      const { now } = checkEditor(editor, cap, `${JSON.stringify(Array.from({ length: editor.lineCount }, (_, i) => editor.line(i)))} ${state}`);
      const { row, col } = editor.cursor;
      if (want === undefined) continue;
      // a key refused at a bound (a bell) changes nothing
      const refused = out.kind === 'continue' && out.bell === true;
      const got = now.text.join('');
      const at = now.starts[row]! + Math.min(col, now.shown[row]!);
      if (refused && got === before.text.join('')) continue;
      // (a Tab's spaces go in one by one, as many as fit before a bound)
      if (key.name === 'tab' && want.at !== undefined) {
        const start = want.at - (want.text.length - before.text.length);
        const part = [...before.text];
        part.splice(start, 0, ...' '.repeat(Math.max(0, at - start)));
        if (at >= start && at <= want.at && got === part.join('')) continue;
      }
      assert.equal(got, want.text.join(''), `text after ${JSON.stringify(key)} in ${state}`);
      if (want.at !== undefined) assert.equal(at, want.at, `cursor after ${JSON.stringify(key)} in ${state}`);
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

  it('Ctrl-Y on the line a cut word ran on into lets the word, whole again, go up to the line above it', () => {
    typeAndCheck(6, 5, ['\t', 'a', 'a', '漢', 'bb', '\x1b[A', '\x1b[A', 'word ', '\x1b[D', '漢', '\x19']);
  });

  it('a space and a word typed at the end of a full wrapped line keep their space (the End key stops before the break)', () => {
    typeAndCheck(20, 8, ['word ', 'word ', 'word ', 'word ', 'word ', '\x1b[A', '\x1b[F', ' ', 'bb']);
  });
});
