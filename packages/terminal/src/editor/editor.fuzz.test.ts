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
// and the cursor's character are the same; and Backspace right after a row's carried marks,
// or Delete at the end of the row above, takes its break (as at a wrapped line's), the marks
// going with it.
// These hold after every key, not only at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzz } from '../../../../tools/fuzz/fuzz-settings.js';
import { KeyDecoder, type Key } from '../keys.js';
import { charWidth } from '../text-width.js';
import { MessageEditor, displayWidth, quoteMarks } from './editor.js';

/** In a reading, the end of a row a quoted paragraph goes on from onto a row with its marks: broken at a space (taken out), or inside a word. */
const QUOTED_END = '\u0001';
const CUT_END = '\u0002';
const isBreak = (ch: string | undefined): boolean => ch === '\n' || ch === QUOTED_END || ch === CUT_END;

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

/**
 * The message as the caller reads it: a wrapped line's last space is its break, a word cut
 * at the edge runs on; a quoted paragraph's row ends (QUOTED_END, CUT_END: the next row
 * goes on with it if it starts with the paragraph's marks) are marked.
 */
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
    const quoted = editor.quotedEnd(i);
    if (!soft && i < editor.lineCount - 1) text.push(quoted === 'space' ? QUOTED_END : quoted === 'cut' ? CUT_END : '\n');
  }
  return { text, starts, shown };
}

/**
 * The quote marks a line starts with, one level, two levels, ... (longest first): the
 * editor reads a quoted paragraph's marks off its first row, which may end inside them.
 */
function marksOf(line: string): string[][] {
  const all = [...quoteMarks(line).marks];
  const levels: string[][] = [];
  for (let n = all.length; n > 0; n--) if (quoteMarks(all.slice(0, n).join('')).marks.length === n) levels.push(all.slice(0, n));
  return levels;
}

/**
 * A reading as a wider window joins it, and where position `at` is in that: a quoted
 * paragraph's row end before a row that starts with the paragraph's marks goes with those
 * marks (the space it broke at back); one before a row without them (the caller edited
 * them) is a line break. The cursor on those marks is at the start of the row's text.
 * The editor reads a paragraph's marks off its first row, which a narrow window may end
 * inside them: some level of its first line's (marksOf). With `like`, each paragraph takes
 * the level that reads as `like` does (the longest where none does).
 */
function flow(chars: readonly string[], at: number, like?: string): { text: string; at: number } {
  let text = '';
  let mapped = -1;
  for (let i = 0; i <= chars.length; ) {
    let end = i;
    while (end < chars.length && !isBreak(chars[end])) end++;
    const levels = marksOf(chars.slice(i, end).join(''));
    const tries = levels.length > 0 ? levels.map((lead) => paragraph(chars, i, at, lead)) : [paragraph(chars, i, at, [])];
    const part = tries.find((p) => like === undefined || like.startsWith(text + p.text + (p.next < chars.length ? '\n' : ''))) ?? tries[0]!;
    if (part.at >= 0) mapped = text.length + part.at;
    text += part.text;
    if (part.next >= chars.length) break;
    if (at === part.next) mapped = text.length;
    text += '\n';
    i = part.next + 1;
  }
  return { text, at: mapped < 0 ? text.length : mapped };
}

/** One paragraph of a reading from `from` on, its rows joined with `lead` taken off (flow()); where it ends, and where `at` is in it (-1: not in it). */
function paragraph(chars: readonly string[], from: number, at: number, lead: readonly string[]): { text: string; next: number; at: number } {
  let text = '';
  let mapped = -1;
  let i = from;
  for (; i < chars.length; i++) {
    if (i === at) mapped = text.length;
    const ch = chars[i]!;
    if ((ch === QUOTED_END || ch === CUT_END) && lead.length > 0 && lead.every((c, k) => chars[i + 1 + k] === c)) {
      if (ch === QUOTED_END) text += ' ';
      if (at > i && at <= i + lead.length) mapped = text.length;
      i += lead.length;
      continue;
    }
    if (isBreak(ch)) break;
    text += ch;
  }
  if (i === at && i >= chars.length) mapped = text.length;
  return { text, next: i, at: mapped };
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
    // (next to a quoted paragraph's row end, the line above keeps its own end: not checked here)
    const ends = [t[before.starts[row]! - 1], t[before.starts[row + 1]! - 1]];
    if (ends.some((ch) => ch === QUOTED_END || ch === CUT_END)) return undefined;
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
    // Right after the marks the re-wrap carried onto a quoted row, the character before the
    // cursor is the row's break (the space it broke at, or a cut word's last character before
    // it): it goes, and the row's marks with it (they are the row above's)
    const { marks } = editor.carriedMarks()[row]!;
    if (marks > 0 && col === marks) {
      const start = before.starts[row]!;
      const gone = t[start - 1] === CUT_END ? 2 : 1;
      t.splice(start - gone, gone + marks);
      return { text: t, at: start - gone };
    }
    if (at > 0) t.splice(at - 1, 1);
    return { text: t, at: Math.max(0, at - 1) };
  }
  if (key.name === 'delete') {
    // (at the end of a row whose paragraph goes on with carried marks, the break and those marks
    // go, and in a word cut at the edge the character after the cut)
    const { marks } = editor.carriedMarks()[row + 1] ?? { marks: 0 };
    if (marks > 0 && at === lineEnd) {
      t.splice(at, (t[at] === CUT_END ? 2 : 1) + marks);
      return { text: t, at };
    }
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
  // and a quoted paragraph too: where a row broke at a space, the next row's first word (after the marks it carries) did not fit on it
  const carried = editor.carriedMarks();
  for (let i = 0; i + 1 < lines.length; i++) {
    const { marks, space } = carried[i + 1]!;
    if (marks === 0 || !space) continue;
    const rest = [...lines[i + 1]!].slice(marks).join('');
    const word = /^[^ ]+/.exec(rest)?.[0];
    const cut = word === rest && editor.quotedEnd(i + 1) === 'cut';
    // (a paragraph's first row whose marks would read as more with the word: a wider window would not know the rows for one paragraph)
    const more = carried[i]!.marks === 0 && quoteMarks(`${lines[i]!} ${word}`).marks.length > marks;
    if (word !== undefined && !cut && !more) assert.ok(displayWidth(`${lines[i]!} ${word}`) > width - 1, `${JSON.stringify(word)} fits on quoted row ${i} in ${state}`);
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
      const { row: row0, col: col0 } = editor.cursor;
      // a key adds no line past the cap (or past the lines a resize left over it)
      const cap = Math.max(maxLines, editor.lineCount);
      const out = editor.feed(key);
      const state = `after ${JSON.stringify(typed)} at width ${width}, cap ${maxLines}`;
      const { now } = checkEditor(editor, cap, `${JSON.stringify(Array.from({ length: editor.lineCount }, (_, i) => editor.line(i)))} ${state}`);
      const { row, col } = editor.cursor;
      if (want === undefined) continue;
      // a key refused at a bound (a bell) changes nothing
      const refused = out.kind === 'continue' && out.bell === true;
      const at = now.starts[row]! + Math.min(col, now.shown[row]!);
      if (refused && now.text.join('') === before.text.join('')) continue;
      // (read as a wider window joins it: the edit may move a quoted paragraph's words between its rows, each with the marks)
      const flown = flowed(editor);
      const got = flown.text;
      // (the marks a paragraph's rows carry are those of its first row: some level of its first line's)
      const wanted = flow(want.text, want.at ?? 0, got);
      // (a Tab's spaces go in one by one, as many as fit before a bound)
      if (key.name === 'tab' && want.at !== undefined) {
        const spaces = want.text.length - before.text.length;
        const start = want.at - spaces;
        const fit = Array.from({ length: spaces }, (_, n) => {
          const part = [...before.text];
          part.splice(start, 0, ...' '.repeat(n));
          return flow(part, start + n, got);
        });
        if (fit.some((part) => part.text === got && part.at === flown.at)) continue;
        // (typed into or just after a line's quote marks, its spaces change them one by one, each
        // as a space typed there would: which rows a quoted paragraph goes on onto is checked key by key)
        const line = before.text.slice(before.starts[row0]!, before.starts[row0]! + before.shown[row0]!);
        const marksAt = (n: number): number => quoteMarks([...line.slice(0, col0), ...' '.repeat(n), ...line.slice(col0)].join('')).marks.length;
        if (Array.from({ length: spaces + 1 }, (_, n) => marksAt(n)).some((m) => col0 <= m)) continue;
      }
      assert.equal(got, wanted.text, `text after ${JSON.stringify(key)} in ${state}`);
      if (want.at !== undefined) assert.equal(flown.at, wanted.at, `cursor after ${JSON.stringify(key)} in ${state}`);
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
