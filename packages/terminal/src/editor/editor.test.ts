import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyDecoder, type KeyDecoderOptions } from '../keys.js';
import { MessageEditor, QUOTE_START_LINES, displayWidth, fitQuotedLine, quoteDepth, quoteLines, quotePrefix, quoteStart, type EditorOptions, type EditorOutcome } from './editor.js';
import { EDITOR_HELP, EMPTY_PROMPT, EditorScreen } from './render.js';
import { EDITOR_KEYS, helpRows } from './help.js';
import { LineModeEditor, pickLines } from './line-mode.js';

/** What each terminal family sends for the editing keys (and how the session decodes it). */
interface Family {
  decoder: KeyDecoderOptions;
  home: string;
  end: string;
  del: string;
  backspace: string;
  insert: string;
  pageUp: string;
  pageDown: string;
  up: string;
  left: string;
}
const FAMILIES: Record<string, Family> = {
  // ANSI-BBS: CSI H / CSI K, DEL is Delete and ^H Backspace.
  syncterm: { decoder: { del: 'delete' }, home: '\x1b[H', end: '\x1b[K', del: '\x7f', backspace: '\x08', insert: '\x1b[@', pageUp: '\x1b[V', pageDown: '\x1b[U', up: '\x1b[A', left: '\x1b[D' },
  // PuTTY's default "ESC[n~" keys; Backspace sends DEL.
  putty: { decoder: {}, home: '\x1b[1~', end: '\x1b[4~', del: '\x1b[3~', backspace: '\x7f', insert: '\x1b[2~', pageUp: '\x1b[5~', pageDown: '\x1b[6~', up: '\x1b[A', left: '\x1b[D' },
  // xterm in application cursor mode (SS3) for Home/End.
  xterm: { decoder: {}, home: '\x1bOH', end: '\x1bOF', del: '\x1b[3~', backspace: '\x7f', insert: '\x1b[2~', pageUp: '\x1b[5~', pageDown: '\x1b[6~', up: '\x1bOA', left: '\x1bOD' },
  // inetutils telnet passes the local terminal's keys through (xterm normal mode, ^H backspace with stty erase ^H).
  'inetutils telnet': { decoder: {}, home: '\x1b[H', end: '\x1b[F', del: '\x1b[3~', backspace: '\x08', insert: '\x1b[2~', pageUp: '\x1b[5~', pageDown: '\x1b[6~', up: '\x1b[A', left: '\x1b[D' },
};

const f0 = FAMILIES['inetutils telnet']!;

function driver(opts: Partial<EditorOptions> & { decoder?: KeyDecoderOptions } = {}) {
  const decoder = new KeyDecoder(opts.decoder ?? {});
  const editor = new MessageEditor({ width: 40, height: 10, ...opts });
  let last: EditorOutcome = { kind: 'continue' };
  const type = (bytes: string): EditorOutcome => {
    for (const key of [...decoder.push(bytes), ...(decoder.pendingEscape ? decoder.flush() : [])]) last = editor.feed(key);
    return last;
  };
  return { editor, type };
}

for (const [name, f] of Object.entries(FAMILIES)) {
  describe(`editor keys from ${name}`, () => {
    test('Home and End move along the line, Delete and Backspace remove on either side', () => {
      const { editor, type } = driver({ decoder: f.decoder });
      type('hello world');
      type(f.home);
      assert.deepEqual(editor.cursor, { row: 0, col: 0 });
      type(f.del);
      assert.equal(editor.line(0), 'ello world');
      type(f.end);
      assert.deepEqual(editor.cursor, { row: 0, col: 10 });
      type(f.backspace);
      assert.equal(editor.line(0), 'ello worl');
    });

    test('Backspace at a line start and Delete at a line end join lines', () => {
      const { editor, type } = driver({ decoder: f.decoder });
      type('one\rtwo');
      type(f.home);
      type(f.backspace);
      assert.equal(editor.lineCount, 1);
      assert.equal(editor.line(0), 'onetwo');
      assert.deepEqual(editor.cursor, { row: 0, col: 3 });
      type('\r');
      type(f.up);
      type(f.end);
      type(f.del);
      assert.equal(editor.line(0), 'onetwo');
    });

    test('Insert toggles overwrite; PgUp/PgDn move a screen', () => {
      const { editor, type } = driver({ decoder: f.decoder, height: 3 });
      type('abc');
      type(f.left + f.left);
      type(f.insert);
      assert.equal(editor.insert, false);
      type('XY');
      assert.equal(editor.line(0), 'aXY');
      type(f.insert);
      for (let i = 0; i < 8; i++) type(`\rline ${i}`);
      assert.equal(editor.cursor.row, 8);
      type(f.pageUp);
      assert.equal(editor.cursor.row, 5);
      assert.ok(editor.top <= 5);
      type(f.pageDown);
      assert.equal(editor.cursor.row, 8);
    });

    test('Ctrl-Z saves; Esc asks and only y aborts', () => {
      const { type } = driver({ decoder: f.decoder });
      type('body');
      assert.equal(type('\x1b').kind, 'continue');
      assert.equal(type('n').kind, 'continue');
      const saved = type('\x1a');
      assert.deepEqual(saved, { kind: 'save', text: 'body' });
      const other = driver({ decoder: f.decoder });
      other.type('x');
      other.type('\x1b');
      assert.deepEqual(other.type('y'), { kind: 'abort' });
    });
  });
}

describe('editor wrapping and limits', () => {
  test('words wrap at the width by display width, and the cursor follows', () => {
    const { editor, type } = driver({ width: 12 });
    type('hello there world');
    assert.equal(editor.line(0), 'hello there ');
    assert.equal(editor.line(1), 'world');
    assert.deepEqual(editor.cursor, { row: 1, col: 5 });
    const wide = driver({ width: 9 });
    wide.type('漢字漢字漢字');
    // Each is two columns: four fit before the last column.
    assert.equal(wide.editor.line(0), '漢字漢字');
    assert.equal(wide.editor.line(1), '漢字');
    const long = driver({ width: 6 });
    long.type('abcdefgh');
    assert.deepEqual([long.editor.line(0), long.editor.line(1)], ['abcde', 'fgh']);
  });

  test('typing into a full line of a paragraph pushes the overflowing word onto its next line, not a new one', () => {
    const { editor, type } = driver({ width: 20 });
    type('aaaa bbbb cccc dddd eeee ffff');
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    assert.deepEqual(lines(), ['aaaa bbbb cccc dddd ', 'eeee ffff']);
    type('\x1b[A\x1b[H');
    type('XX ');
    assert.deepEqual(lines(), ['XX aaaa bbbb cccc ', 'dddd eeee ffff']);
    assert.deepEqual(editor.cursor, { row: 0, col: 3 });
    // again: the second line fills too, and its last word moves on to a line of its own
    type('YYYYYY ');
    assert.deepEqual(lines(), ['XX YYYYYY aaaa bbbb ', 'cccc dddd eeee ffff']);
    type('Z');
    assert.deepEqual(lines(), ['XX YYYYYY Zaaaa ', 'bbbb cccc dddd eeee ', 'ffff']);
    assert.deepEqual(editor.cursor, { row: 0, col: 11 });
    assert.equal(editor.text(), 'XX YYYYYY Zaaaa\nbbbb cccc dddd eeee\nffff');
  });

  test('reflow stops at the end of a paragraph: the next one (after Enter) is left alone', () => {
    const { editor, type } = driver({ width: 20 });
    type('one two three four\rnext paragraph');
    type('\x1b[A\x1b[H');
    type('zero ');
    assert.deepEqual([editor.line(0), editor.line(1), editor.line(2)], ['zero one two three ', 'four', 'next paragraph']);
    // Enter inside a wrapped paragraph ends it there; what followed still runs on, reflowed
    const p = driver({ width: 20 });
    p.type('aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii');
    p.type('\x1b[A\x1b[A\x1b[H\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\r');
    assert.deepEqual([0, 1, 2].map((i) => p.editor.line(i)), ['aaaa ', 'bbbb cccc dddd eeee ', 'ffff gggg hhhh iiii']);
    assert.equal(p.editor.lineCount, 3);
    p.type('1234 ');
    assert.deepEqual([0, 1, 2, 3].map((i) => p.editor.line(i)), ['aaaa ', '1234 bbbb cccc dddd ', 'eeee ffff gggg hhhh ', 'iiii']);
    p.type('x');
    assert.deepEqual([0, 1, 2, 3].map((i) => p.editor.line(i)), ['aaaa ', '1234 xbbbb cccc ', 'dddd eeee ffff gggg ', 'hhhh iiii']);
  });

  test('reflow needs no new line, so it works at the line cap; Backspace and Delete across a wrap remove a character', () => {
    const { editor, type } = driver({ width: 20, maxLines: 2 });
    type('aaaa bbbb cccc dddd eeee');
    type('\x1b[A\x1b[HXX ');
    assert.deepEqual([editor.line(0), editor.line(1)], ['XX aaaa bbbb cccc ', 'dddd eeee']);
    type('\x1b[B\x1b[H');
    // the cursor is after the wrapped line's space: Backspace takes the space, the words join
    type(f0.backspace);
    assert.deepEqual([editor.line(0), editor.line(1)], ['XX aaaa bbbb ', 'ccccdddd eeee']);
    assert.deepEqual(editor.cursor, { row: 1, col: 4 });
    // End stops before the wrapped line's break (its space): Delete takes the space, the two
    // words are one now and go down together
    type('\x1b[A\x1b[F\x1b[3~');
    assert.deepEqual([editor.line(0), editor.line(1)], ['XX aaaa ', 'bbbbccccdddd eeee']);
    assert.deepEqual(editor.cursor, { row: 1, col: 4 });
  });

  test('text typed at the end of a wrapped line stays on it, its space kept: the word moving down is not glued to the next one', () => {
    // the exploratory pass's repro at 80 columns: End went past the wrap's space, so ` ZZ`
    // was typed at the start of `pppp` and came down as `ZZpppp`
    const { editor, type } = driver({ width: 80, height: 23 });
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    const words = 'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt';
    type(words);
    type('\x1b[A\x1b[HXX ');
    assert.deepEqual(lines(), ['XX aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo ', 'pppp qqqq rrrr ssss tttt']);
    type('\x1b[A\x1b[F');
    assert.deepEqual(editor.cursor, { row: 0, col: 77 });
    type(' ZZ');
    assert.deepEqual(lines(), ['XX aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo ', 'ZZ pppp qqqq rrrr ssss tttt']);
    assert.deepEqual(editor.cursor, { row: 1, col: 2 });
    assert.equal(editor.text(), `XX ${words.replace(' pppp', '\nZZ pppp')}`);
  });

  test('a space typed at the end of a full wrapped line is a space before the next line', () => {
    const { editor, type } = driver({ width: 20 });
    type('aaaa bbbb cccc dddd eeee');
    assert.deepEqual([editor.line(0), editor.line(1)], ['aaaa bbbb cccc dddd ', 'eeee']);
    type('\x1b[A\x1b[F');
    assert.deepEqual(editor.cursor, { row: 0, col: 19 });
    type(' ');
    // the typed space is the wrap's now, the one that was goes down before eeee; the cursor is after it
    assert.deepEqual([editor.line(0), editor.line(1)], ['aaaa bbbb cccc dddd ', ' eeee']);
    assert.deepEqual(editor.cursor, { row: 1, col: 0 });
    type('ZZ');
    assert.deepEqual([editor.line(0), editor.line(1)], ['aaaa bbbb cccc dddd ', 'ZZ eeee']);
    assert.equal(editor.text(), 'aaaa bbbb cccc dddd\nZZ eeee');
  });

  test('at a wrap the cursor steps over its space: Right and Left, Up and Down, Enter and overwrite there', () => {
    const { editor, type } = driver({ width: 20 });
    type('aaaa bbbb cccc dddd eeee');
    type('\x1b[A\x1b[F\x1b[C');
    assert.deepEqual(editor.cursor, { row: 1, col: 0 });
    type('\x1b[D');
    assert.deepEqual(editor.cursor, { row: 0, col: 19 });
    // Down keeps the column where the line is long enough, and Up never goes past the text
    const p = driver({ width: 20 });
    p.type('aaaa bbbb cccc ddd eeeeeeeeeeeeeeeeee');
    assert.deepEqual([p.editor.line(0), p.editor.line(1)], ['aaaa bbbb cccc ddd ', 'eeeeeeeeeeeeeeeeee']);
    p.type('\x1b[A');
    assert.deepEqual(p.editor.cursor, { row: 0, col: 18 });
    // overwrite at the end of the text types before the break, it does not replace it
    p.type('\x1b[2~Z');
    assert.deepEqual([p.editor.line(0), p.editor.line(1)], ['aaaa bbbb cccc dddZ ', 'eeeeeeeeeeeeeeeeee']);
    // Enter there makes the break a hard one: the next paragraph starts with its word, no space
    const q = driver({ width: 20 });
    q.type('aaaa bbbb cccc dddd eeee');
    q.type('\x1b[A\x1b[F\r');
    assert.deepEqual([q.editor.line(0), q.editor.line(1)], ['aaaa bbbb cccc dddd', 'eeee']);
    assert.equal(q.editor.text(), 'aaaa bbbb cccc dddd\neeee');
    assert.equal(q.editor.byteCount, Buffer.byteLength(q.editor.text()));
  });

  test('Enter at the end of a wrapped line whose next line cannot come up adds no empty line, and Backspace below takes its break back', () => {
    // (width 6: the next line is a run of spaces wider than a line, which no line can take up)
    const { editor, type } = driver({ width: 6, height: 5, maxLines: 4 });
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    type('ccc a       ');
    assert.deepEqual(lines(), ['ccc a ', '      ']);
    type('\x1b[A\x1b[F\r');
    assert.deepEqual(lines(), ['ccc a', '      ']);
    assert.deepEqual(editor.cursor, { row: 1, col: 0 });
    assert.equal(editor.wrapped(0), false);
    assert.equal(editor.byteCount, Buffer.byteLength(lines().join('\n')));
    // Backspace at the start of the line below joins the two parts again: the line break goes
    type('\x7f');
    assert.equal(lines().join('').replace(/ +$/, ''), 'ccc a');
    assert.equal(editor.wrapped(0), true);
    assert.deepEqual(editor.cursor, { row: 0, col: 5 });
  });

  test('typing in the middle of a line whose overflow carries several words down keeps every word and space', () => {
    const { editor, type } = driver({ width: 20 });
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    type('aaaa bbbb cccc dddd eeee ffff gggg');
    assert.deepEqual(lines(), ['aaaa bbbb cccc dddd ', 'eeee ffff gggg']);
    type('\x1b[A\x1b[H' + '\x1b[C'.repeat(5));
    type('XXXXXXXXXX ');
    assert.deepEqual(lines(), ['aaaa XXXXXXXXXX ', 'bbbb cccc dddd eeee ', 'ffff gggg']);
    assert.deepEqual(editor.cursor, { row: 1, col: 0 });
    assert.equal(editor.text().replace(/\s+/g, ' '), 'aaaa XXXXXXXXXX bbbb cccc dddd eeee ffff gggg');
    // and deleting them brings the words back up as they were
    type('\x7f'.repeat(11));
    assert.deepEqual(lines(), ['aaaa bbbb cccc dddd ', 'eeee ffff gggg']);
  });

  test('a word longer than a line is cut at the edge; a space typed into it, or a delete, re-wraps it as words', () => {
    const { editor, type } = driver({ width: 8 });
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    type('abcdefghi');
    assert.deepEqual(lines(), ['abcdefg', 'hi']);
    // a space splits it: the second part fits a line and starts the next one
    type('\x1b[A\x1b[H\x1b[C\x1b[C ');
    assert.deepEqual(lines(), ['ab ', 'cdefghi']);
    assert.deepEqual(editor.cursor, { row: 1, col: 0 });
    // deleting the space makes it one word again, cut at the edge
    type('\x7f');
    assert.deepEqual(lines(), ['abcdefg', 'hi']);
    assert.deepEqual(editor.cursor, { row: 0, col: 2 });
    // no longer than a line after a delete: it comes back up whole
    type('\x1b[3~\x1b[3~');
    assert.deepEqual(lines(), ['abefghi']);
    assert.equal(editor.text(), 'abefghi');
  });

  test('deleting in a paragraph brings the words of its next lines back up, and a line left empty goes', () => {
    const { editor, type } = driver({ width: 20 });
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    type('aaaa bbbb cccc dddd eeee ffff\rnext');
    type('\x1b[A\x1b[A\x1b[H');
    type('\x1b[3~'.repeat(5));
    assert.deepEqual(lines(), ['bbbb cccc dddd eeee ', 'ffff', 'next']);
    type('\x1b[3~'.repeat(5));
    // the paragraph fits one line now; the one after Enter stays where it was
    assert.deepEqual(lines(), ['cccc dddd eeee ffff', 'next']);
    assert.deepEqual(editor.cursor, { row: 0, col: 0 });
  });

  test('a delete at the start of a wrapped line lets its first word go up to the line above, the cursor with it', () => {
    const { editor, type } = driver({ width: 20 });
    type('aaaa bbbb cccc ddddd eeee');
    assert.deepEqual([editor.line(0), editor.line(1)], ['aaaa bbbb cccc ', 'ddddd eeee']);
    type('\x1b[H\x1b[C\x7f');
    assert.deepEqual([editor.line(0), editor.line(1)], ['aaaa bbbb cccc dddd ', 'eeee']);
    assert.deepEqual(editor.cursor, { row: 0, col: 15 });
  });

  test('at the line cap a key that would need one more line rings and changes nothing; no word falls off the end', () => {
    const { editor, type } = driver({ width: 20, maxLines: 2 });
    type('aaaa bbbb cccc dddd eeee ffff');
    type('\x1b[A\x1b[H');
    const before = editor.text();
    let out: EditorOutcome = { kind: 'continue' };
    let typed = 0;
    while (typed < 20) {
      out = type('X');
      if (out.kind === 'continue' && out.bell) break;
      typed++;
    }
    assert.ok(typed > 0 && typed < 20, `typed ${typed}`);
    assert.equal(editor.lineCount, 2);
    const words = (t: string): string => t.replace(/\s+/g, ' ');
    assert.equal(words(editor.text()), words('X'.repeat(typed) + before));
    assert.deepEqual(editor.cursor, { row: 0, col: typed });
    // a join that would re-wrap past the cap is refused the same way
    const j = driver({ width: 10, maxLines: 3 });
    j.type('aaaaa bbb\rcccc dd\ree');
    j.type('\x1b[A\x1b[H');
    assert.deepEqual(j.type('\x7f'), { kind: 'continue', bell: true });
    assert.equal(j.editor.text(), 'aaaaa bbb\ncccc dd\nee');
    assert.deepEqual(j.editor.cursor, { row: 1, col: 0 });
  });

  test('a key at the top of a long paragraph reflows a screenful below it, not the whole paragraph', () => {
    const { editor, type } = driver({ width: 20, height: 10 });
    // four words fill each line exactly: every word pushed down moves one on every line below
    editor.insertText('word '.repeat(400));
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    const before = lines();
    assert.equal(before.length, 100);
    type('\x1b[5~'.repeat(12) + '\x1b[H');
    assert.deepEqual(editor.cursor, { row: 0, col: 0 });
    type('new ');
    const after = lines();
    assert.equal(after.length, 101);
    // the reflow window (24 lines here) took the pushed word; the lines past it are untouched
    assert.deepEqual(after.slice(0, 2), ['new word word word ', 'word word word word ']);
    assert.deepEqual(after.slice(-70), before.slice(-70));
    assert.equal(editor.text().replace(/\s+/g, ' '), `new ${'word '.repeat(400)}`.trim());
  });

  test('Ctrl-Y on the middle of a word cut at the edge leaves its start ending its line, not glued to the next word', () => {
    const { editor, type } = driver({ width: 8 });
    const lines = (): string[] => Array.from({ length: editor.lineCount }, (_, i) => editor.line(i));
    type('abcdefghijklmnop qq');
    assert.deepEqual(lines(), ['abcdefg', 'hijklmn', 'op qq']);
    type('\x1b[A\x19');
    assert.deepEqual(lines(), ['abcdefg', 'op qq']);
    // a delete in what is left of the word takes nothing of the next one
    type('\x1b[A\x1b[F\x7f');
    assert.deepEqual(lines(), ['abcdef', 'op qq']);
    assert.equal(editor.text(), 'abcdef\nop qq');
  });

  test('Tab in overwrite mode moves to the next stop over the text, types over nothing, and pads past its end', () => {
    const { editor, type } = driver({ width: 40 });
    type('abcdefg\x1b[H\x1b[2~');
    assert.equal(editor.insert, false);
    type('\t');
    assert.deepEqual(editor.cursor, { row: 0, col: 4 });
    assert.equal(editor.line(0), 'abcdefg');
    type('\t');
    assert.equal(editor.line(0), 'abcdefg ');
    assert.deepEqual(editor.cursor, { row: 0, col: 8 });
    assert.equal(editor.insert, false);
  });

  test('Ctrl-Y deletes the line', () => {
    const { editor, type } = driver();
    type('one\rtwo\rthree');
    type('\x1b[A');
    type('\x19');
    assert.equal(editor.text(), 'one\nthree');
  });

  test('the body is bounded in bytes and lines; a paste past it stops there', () => {
    const { editor, type } = driver({ maxBytes: 20, maxLines: 3 });
    const out = type('x'.repeat(50));
    assert.equal(editor.byteCount, 20);
    assert.equal(out.kind, 'continue');
    const lines = driver({ maxLines: 2 });
    lines.type('a\rb\rc\rd');
    assert.equal(lines.editor.lineCount, 2);
  });

  test('escape sequences and controls typed never enter the buffer', () => {
    const { editor, type } = driver();
    editor.insertText('a\x1b[2Jb\x07c\u202ed');
    type('\x1b[31m');
    assert.equal(editor.text(), 'a[2Jbcd');
  });

  test('Ctrl-Z on an empty message asks: A aborts, C (or any other key) goes back to the text', () => {
    const { editor, type } = driver();
    assert.deepEqual(type('  \x1a'), { kind: 'continue' });
    assert.equal(editor.mode, 'confirm-empty');
    assert.deepEqual(type('c'), { kind: 'continue' });
    assert.equal(editor.mode, 'edit');
    // the key that answered is not typed into the message
    assert.equal(editor.line(0), '  ');
    type('\x1a');
    assert.deepEqual(type('A'), { kind: 'abort' });
    const typed = driver();
    typed.type('\x1a');
    typed.type('\x1b');
    assert.equal(typed.editor.mode, 'edit');
    assert.deepEqual(typed.type('hi\x1a'), { kind: 'save', text: 'hi' });
  });
});

describe('the quote window', () => {
  test('Ctrl-Q opens it, Enter inserts the picked line above the cursor, Esc closes it', () => {
    const quote = quoteLines('first line\nsecond line\nthird', quotePrefix('John Doe'), 40);
    assert.deepEqual(quote, ['JD> first line', 'JD> second line', 'JD> third']);
    const { editor, type } = driver({ quote });
    type('\x11');
    assert.equal(editor.mode, 'quote');
    type('\x1b[B');
    type('\r');
    type('\r');
    type('\x1b');
    assert.equal(editor.mode, 'edit');
    type('my answer');
    assert.equal(editor.text(), 'JD> second line\nJD> third\nmy answer');
  });

  test('Ctrl-O opens and closes it too (netkit rlogin keeps Ctrl-Q for flow control); Ctrl-Q still does', () => {
    const { editor, type } = driver({ quote: ['JD> one', 'JD> two'] });
    type('\x0f');
    assert.equal(editor.mode, 'quote');
    type('\r\x0f');
    assert.equal(editor.mode, 'edit');
    type('\x11');
    assert.equal(editor.mode, 'quote');
    type('\x0f');
    assert.equal(editor.mode, 'edit');
    type('\x0f');
    type('\x11');
    assert.equal(editor.mode, 'edit');
    assert.equal(editor.text(), 'JD> one');
    // with nothing to quote, the key rings and the text stays
    const plain = driver();
    assert.deepEqual(plain.type('\x0f'), { kind: 'continue', bell: true });
    assert.equal(plain.editor.mode, 'edit');
  });

  test('a quote is trimmed to the width and the author initials come from the handle', () => {
    assert.equal(quotePrefix('alice'), 'AL> ');
    assert.equal(quotePrefix('Acid Burn'), 'AB> ');
    const q = quoteLines('word '.repeat(20), 'AB> ', 30);
    assert.ok(q.length > 1);
    for (const l of q) assert.ok(l.length <= 29, l);
    assert.deepEqual(quoteLines('\x1b[2Jhi', 'X> ', 40), ['X> [2Jhi']);
  });
});

describe('how much a reply quotes', () => {
  test('the original\'s own quotes are kept one level deep; each deeper run becomes one [...] line', () => {
    const original = ['I agree with this:', 'AL> the first point', 'AL> BO> what started it', 'AL> BO> CD> and before', '>> mail style', 'and here is why.'].join('\n');
    assert.deepEqual(quoteLines(original, 'EF> ', 80), ['EF> I agree with this:', 'EF> AL> the first point', 'EF> [...]', 'EF> and here is why.']);
    assert.deepEqual([quoteDepth('AL> BO> x'), quoteDepth(' JD> x'), quoteDepth('> x'), quoteDepth('>> x'), quoteDepth('x > y'), quoteDepth('a>b'), quoteDepth('AL>')], [2, 1, 1, 2, 0, 0, 1]);
  });

  test('a paragraph the writer\'s editor wrapped is quoted as a paragraph, wrapped again to the room the prefix leaves', () => {
    // written at 80 columns: the editor broke it after `right`, a 76-column line
    const writer = new MessageEditor({ width: 80, height: 23 });
    const paragraph = 'This is a long line that I typed so that it will wrap around at the right margin of an eighty column screen ok and then it goes on for a while longer still';
    writer.insertText(`${paragraph}\nThanks,\nAlice`);
    const body = writer.text();
    assert.equal(body.split('\n')[0], 'This is a long line that I typed so that it will wrap around at the right');
    const quote = quoteLines(body, 'AL> ', 80);
    // before: `AL> ...at the` / `AL> right` / `AL> margin of ...`, a ragged pair for every full line
    assert.deepEqual(quote, [
      'AL> This is a long line that I typed so that it will wrap around at the right',
      'AL> margin of an eighty column screen ok and then it goes on for a while longer',
      'AL> still',
      'AL> Thanks,',
      'AL> Alice',
    ]);
    for (const l of quote) assert.ok(displayWidth(l) <= 79, l);
    // at 40 columns the same paragraph fills each quoted line
    const narrow = quoteLines(body, 'AL> ', 40);
    assert.equal(narrow.slice(0, -2).map((l) => l.slice(4)).join(' '), paragraph);
    for (const l of narrow.slice(0, -3)) assert.ok(displayWidth(l) > 39 - 8, l);
  });

  test('lines broken by Enter stay: short lines, blank lines, indented lines, other quote marks; quoted lines keep their marks when re-wrapped', () => {
    const full = `${'word '.repeat(15)}end`; // 79 columns
    const body = [full, 'next', '', 'short line', 'another short one', full, '  indented', full, 'AL> quoted text', 'AL> more quoted'].join('\n');
    assert.deepEqual(quoteLines(body, 'EF> ', 80), [
      `EF> ${'word '.repeat(14)}word`,
      'EF> end next',
      'EF>',
      'EF> short line',
      'EF> another short one',
      `EF> ${'word '.repeat(14)}word`,
      'EF> end',
      'EF>   indented',
      `EF> ${'word '.repeat(14)}word`,
      'EF> end',
      'EF> AL> quoted text',
      'EF> AL> more quoted',
    ]);
    // a quoted paragraph the writer wrapped: joined under its marks, each line keeps them
    const quoted = [`AL> ${'abcd '.repeat(14)}abcd`, 'AL> tail of it'].join('\n');
    assert.deepEqual(quoteLines(quoted, 'EF> ', 80), [`EF> AL> ${'abcd '.repeat(13)}abcd`, 'EF> AL> abcd tail of it']);
  });

  test('a reply starts with the first lines and says how many more were left out; the window keeps them all', () => {
    const long = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const quote = quoteLines(long, 'AL> ', 80);
    assert.equal(quote.length, 30);
    const start = quoteStart(quote, 'AL> ');
    assert.equal(start.length, QUOTE_START_LINES + 1);
    assert.equal(start[QUOTE_START_LINES - 1], 'AL> line 10');
    assert.equal(start[QUOTE_START_LINES], 'AL> [... 20 more lines]');
    assert.deepEqual(quoteStart(quote.slice(0, 11), 'AL> '), ['AL> line 1', 'AL> line 2', 'AL> line 3', 'AL> line 4', 'AL> line 5', 'AL> line 6', 'AL> line 7', 'AL> line 8', 'AL> line 9', 'AL> line 10', 'AL> [... 1 more line]']);
    assert.deepEqual(quoteStart(quote.slice(0, 10), 'AL> '), quote.slice(0, 10));
    // a blank quoted line at the cut is not kept before the marker
    const gap = quoteLines('a\nb\nc\nd\ne\nf\ng\nh\ni\n\nk\nl', 'AL> ', 80);
    assert.deepEqual(quoteStart(gap, 'AL> ').slice(-2), ['AL> i', 'AL> [... 3 more lines]']);
  });
});

describe('quotes on a narrow screen', () => {
  const paragraph = 'This is a long line that I typed so that it will wrap around at the right margin of an eighty column screen ok and then it goes on';
  const written = (): string => {
    const writer = new MessageEditor({ width: 80, height: 23 });
    writer.insertText(`${paragraph}\nABCD> a quoted line of the original that is long enough to wrap twice at twenty\n${Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n')}`);
    return writer.text();
  };

  test('a reply started at 20 to 30 columns has its initials on every quoted row, the marker line included', () => {
    for (const cols of [20, 21, 24, 30]) {
      for (const handle of ['John Doe', 'John Q Doe']) {
        const prefix = quotePrefix(handle);
        const quote = quoteLines(written(), prefix, cols);
        for (const l of quote) assert.ok(displayWidth(l) <= cols - 1, `${cols} columns: ${JSON.stringify(l)}`);
        const editor = new MessageEditor({ width: cols, height: 20, quote, initial: `${quoteStart(quote, prefix, QUOTE_START_LINES, cols).join('\n')}\n\n` });
        const rows = Array.from({ length: editor.lineCount }, (_, i) => editor.line(i)).filter((l) => l !== '');
        for (const row of rows) assert.ok(row.startsWith(prefix.trimEnd()), `${cols} columns, ${handle}: ${JSON.stringify(row)} in ${JSON.stringify(rows)}`);
        assert.match(rows[rows.length - 1]!, /\[\.\.\. \d+ more( lines)?\]$/);
      }
    }
    // where it fits, the marker says lines
    assert.deepEqual(quoteStart(['AL> a', 'AL> b', 'AL> c'], 'AL> ', 1, 80), ['AL> a', 'AL> [... 2 more lines]']);
    assert.deepEqual(quoteStart(['AL> a', 'AL> b', 'AL> c'], 'AL> ', 1, 20), ['AL> a', 'AL> [... 2 more]']);
  });

  test('a quoted line wider than the reader\'s screen keeps its marks on every row; other lines are left as they are', () => {
    const line = `JD> AL> ${'word '.repeat(12)}end`;
    const rows = fitQuotedLine(line, 24);
    assert.ok(rows.length > 1);
    for (const r of rows) {
      assert.ok(r.startsWith('JD> AL> '), JSON.stringify(r));
      assert.ok(displayWidth(r) <= 23, JSON.stringify(r));
    }
    assert.equal(rows.map((r) => r.slice(8)).join(' '), line.slice(8));
    assert.deepEqual(fitQuotedLine(line, 80), [line]);
    const plain = `${'word '.repeat(14)}end`;
    assert.deepEqual(fitQuotedLine(plain, 24), [plain]);
  });
});

describe('the screen', () => {
  test('the first draw paints everything, a keystroke repaints one row', () => {
    const { editor, type } = driver({ width: 80, height: 8 });
    const screen = new EditorScreen(editor, { title: 'Subject: test' });
    const first = screen.draw(80, 10);
    assert.ok(first.includes('\x1b[2J'));
    assert.ok(first.includes('Subject: test'));
    type('a');
    const next = screen.draw(80, 10);
    assert.ok(!next.includes('\x1b[2J'));
    // text row 2 and the status row (its byte count) change, nothing else
    assert.equal(next.match(/\x1b\[\d+;1H/g)?.length, 2);
    assert.ok(next.endsWith('\x1b[2;2H'));
    assert.equal(screen.draw(80, 10).match(/\x1b\[\d+;1H/g), null);
  });

  test('Ctrl-Z on an empty message says why nothing was sent, with the cursor after the question', () => {
    const { type, editor } = driver();
    const screen = new EditorScreen(editor, { title: 't' });
    screen.draw(40, 12);
    type('\x1a');
    const out = screen.draw(60, 12);
    assert.ok(out.includes(EMPTY_PROMPT), out);
    assert.ok(out.endsWith(`\x1b[12;${EMPTY_PROMPT.length + 2}H`));
  });

  test('no row (title, text, status, questions, quote window) runs past the last column but one', () => {
    const long = 'Re: '.repeat(30);
    for (const cols of [20, 21, 30, 40, 79, 80, 132]) {
      const { editor, type } = driver({ width: cols, height: 20, quote: ['QQ> ' + 'x'.repeat(300)] });
      const screen = new EditorScreen(editor, { title: `Mail to somebody: ${long}` });
      const rows: string[] = [];
      const collect = (): void => {
        const out = screen.draw(cols, 22);
        for (const piece of out.split(/\x1b\[\d+;1H/).slice(1)) rows.push(piece);
        const cursor = /\x1b\[(\d+);(\d+)H$/.exec(out);
        assert.ok(cursor && Number(cursor[2]) <= cols - 1, `cursor ${cursor?.[0]} at ${cols} columns`);
      };
      collect();
      // a body in the thousands of lines and bytes makes the longest status row
      editor.insertText('word '.repeat(3000));
      collect();
      type('\x1b');
      collect();
      type('n\x1b[H\x19'.repeat(3000) + '\x1a');
      assert.equal(editor.mode, 'confirm-empty');
      collect();
      type('c\x11');
      collect();
      // Ctrl-Q closes the quote window, Ctrl-K opens the help
      type('\x11\x0b');
      assert.equal(editor.mode, 'help');
      collect();
      for (const row of rows) {
        const visible = row.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
        assert.ok(displayWidth(visible) <= cols - 1, `${displayWidth(visible)} columns at ${cols}: ${JSON.stringify(visible)}`);
      }
    }
  });

  test('the status row shows the key help items that fit whole, never one cut short', () => {
    const { editor } = driver({ width: 80 });
    const screen = new EditorScreen(editor, { title: 't' });
    editor.insertText('x'.repeat(125));
    const status = (cols: number): string => {
      screen.invalidate();
      const rows = screen.draw(cols, 12).split(/\x1b\[\d+;1H/);
      return rows[rows.length - 1]!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    };
    // the quote key every client passes (netkit rlogin keeps Ctrl-Q for flow control)
    assert.equal(status(80), ' INS  line 2/2  126 bytes  Ctrl-Z save  Ctrl-K help  Esc abort  Ctrl-O quote');
    assert.equal(status(132), ` INS  line 2/2  126 bytes  ${EDITOR_HELP}`);
    // too narrow for the counts and both of save and help: the short form, which still has them
    assert.equal(status(40), ' INS 2/2  ^Z save  ^K help  Esc abort');
    editor.insertText(`${'\r'.repeat(1990)}x`);
    assert.equal(status(40), ' INS 1992/1992  ^Z save  ^K help');
  });

  test('a notice takes the status row until cleared, cut to the width; a question still wins', () => {
    const { editor, type } = driver({ width: 40 });
    const screen = new EditorScreen(editor, { title: 't' });
    const status = (): string => {
      screen.invalidate();
      const rows = screen.draw(40, 12).split(/\x1b\[\d+;1H/);
      return rows[rows.length - 1]!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    };
    type('hello');
    screen.setNotice('*** Broadcast from Sysop: the board goes down in 5 minutes');
    assert.equal(status().trimEnd(), ' *** Broadcast from Sysop: the board go');
    type('\x1b');
    assert.match(status(), /^Abort message\? \(y\/N\)/);
    type('n');
    assert.match(status(), /Broadcast from Sysop/);
    screen.setNotice(undefined);
    assert.match(status(), /^ INS/);
  });

  test('the status row counts one byte as one byte', () => {
    const { editor, type } = driver();
    const screen = new EditorScreen(editor, { title: 't' });
    type('a');
    assert.match(screen.draw(80, 12), / 1 byte {2}/);
    type('b');
    assert.match(screen.draw(80, 12), / 2 bytes {2}/);
  });

  test('Esc shows the abort question on the status row; a resize repaints whole', () => {
    const { editor, type } = driver();
    const screen = new EditorScreen(editor, { title: 't' });
    screen.draw(40, 12);
    type('\x1b');
    assert.ok(screen.draw(40, 12).includes('Abort message? (y/N)'));
    editor.resize(60, 20);
    assert.ok(screen.draw(60, 22).includes('\x1b[2J'));
    // a 65535-column claim costs a bounded frame
    assert.ok(screen.draw(65535, 65535).length < 64 * 1024);
  });
});

describe('a resize', () => {
  /** Lines joined as the caller reads them: a soft break is nothing (its space stays on the line), Enter a newline. */
  const reading = (e: MessageEditor): string => Array.from({ length: e.lineCount }, (_, i) => e.line(i) + (e.wrapped(i) || i === e.lineCount - 1 ? '' : '\n')).join('');
  const lines = (e: MessageEditor): string[] => Array.from({ length: e.lineCount }, (_, i) => e.line(i));
  const paragraph = 'The quick brown fox jumps over the lazy dog while the sysop watches the caller log scroll by on the console of an old BBS';

  test('wraps every paragraph again to the new width; Enter stays, the cursor stays on its character, and back is as typed', () => {
    const { editor, type } = driver({ width: 80, height: 20 });
    type(`${paragraph}\r\r${paragraph} again`);
    const at80 = lines(editor);
    assert.equal(at80.length, 5);
    // the cursor on the 'w' of 'watches' in the second paragraph
    type(`\x1b[A\x1b[H${'\x1b[C'.repeat(at80[3]!.indexOf('watches'))}`);
    const before = reading(editor);
    editor.resize(40, 10);
    assert.equal(editor.width, 40);
    for (const l of lines(editor)) assert.ok(displayWidth(l.trimEnd()) <= 39, l);
    assert.equal(reading(editor), before);
    assert.ok(editor.lineCount > 5);
    // the hard breaks are where they were: one blank line between the paragraphs
    assert.equal(editor.text().split('\n\n').length, 2);
    assert.equal(editor.line(editor.cursor.row).slice(editor.cursor.col, editor.cursor.col + 7), 'watches');
    assert.ok(editor.cursor.row >= editor.top && editor.cursor.row < editor.top + 10);
    // typing after the re-wrap reflows at 40
    type('X');
    assert.match(editor.text(), /Xwatches/);
    type('\x7f');
    editor.resize(80, 24);
    assert.deepEqual(lines(editor), at80);
    assert.equal(editor.line(editor.cursor.row).slice(editor.cursor.col, editor.cursor.col + 7), 'watches');
  });

  test('a word longer than the new width is cut at the edge', () => {
    const { editor } = driver({ width: 40, height: 10, maxLines: 4 });
    editor.insertText('short ' + 'x'.repeat(30));
    editor.resize(12, 10);
    assert.deepEqual(lines(editor), ['short ', 'xxxxxxxxxxx', 'xxxxxxxxxxx', 'xxxxxxxx']);
    editor.resize(40, 10);
    assert.deepEqual(lines(editor), ['short ' + 'x'.repeat(30)]);
  });

  test('at the line cap a narrower window re-wraps all the same: every line on screen whole; edits may not add a line until it is wider again', () => {
    const { editor, type } = driver({ width: 40, height: 10, maxLines: 4 });
    type(`short ${'x'.repeat(30)} ${'y'.repeat(30)}\rlast`);
    const wide = lines(editor);
    assert.equal(wide.length, 3);
    // at 12 columns it takes 8 lines, more than the cap of 4: before, it kept its 40-column
    // lines, and the screen cut them at the edge
    editor.resize(12, 10);
    assert.equal(editor.width, 12);
    assert.deepEqual(lines(editor), ['short ', 'xxxxxxxxxxx', 'xxxxxxxxxxx', 'xxxxxxxx ', 'yyyyyyyyyyy', 'yyyyyyyyyyy', 'yyyyyyyy', 'last']);
    const screen = new EditorScreen(editor, { title: 't' });
    const drawn = screen.draw(12, 12).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '\n');
    for (const l of lines(editor)) assert.ok(drawn.includes(l.trimEnd()), `${JSON.stringify(l)} not drawn whole`);
    // typing that needs a line more rings; typing that fits, and deleting, work
    assert.deepEqual(type('\r'), { kind: 'continue', bell: true });
    assert.deepEqual(type('z'.repeat(8)), { kind: 'continue', bell: true });
    assert.equal(editor.line(7), 'lastzzzzzzz');
    assert.equal(editor.lineCount, 8);
    type('\x7f'.repeat(8));
    assert.equal(editor.line(7), 'las');
    editor.resize(40, 10);
    assert.deepEqual(lines(editor), [wide[0], wide[1], 'las']);
  });
});

describe('a resize of a reply', () => {
  const lines = (e: MessageEditor): string[] => Array.from({ length: e.lineCount }, (_, i) => e.line(i));
  const original = [
    'The quick brown fox jumps over the lazy dog while the sysop watches the log',
    'scroll by on the console of an old BBS at three in the morning.',
    '',
    'short line',
    'AL> an older quote that the original kept, long enough to wrap at thirty columns',
  ].join('\n');
  const reply = (width: number): MessageEditor => {
    const prefix = quotePrefix('John Doe');
    const quote = quoteLines(original, prefix, width);
    return new MessageEditor({ width, height: 20, quote, initial: `${quoteStart(quote, prefix, QUOTE_START_LINES, width).join('\n')}\n\nmy answer` });
  };
  /** The character under the cursor and the few after it. */
  const atCursor = (e: MessageEditor): string => e.line(e.cursor.row).slice(e.cursor.col, e.cursor.col + 6);

  test('narrower, every row of a quoted line keeps its marks; wide again, the lines are as they were, the cursor on its character', () => {
    const editor = reply(80);
    const at80 = lines(editor);
    assert.deepEqual(at80.slice(0, 4), [
      'JD> The quick brown fox jumps over the lazy dog while the sysop watches the log',
      'JD> scroll by on the console of an old BBS at three in the morning.',
      'JD>',
      'JD> short line',
    ]);
    // the cursor on the 'w' of 'watches' in the first quoted line
    editor.resize(80, 20);
    for (const k of ['up', 'up', 'up', 'up', 'up', 'up', 'up', 'home']) editor.feed({ name: k } as never);
    while (atCursor(editor) !== 'watche') editor.feed({ name: 'right' } as never);
    for (const width of [30, 24, 50]) {
      editor.resize(width, 20);
      const now = lines(editor);
      for (const l of now) assert.ok(displayWidth(l.trimEnd()) <= width - 1, `${width}: ${JSON.stringify(l)}`);
      // every row of the quote carries its marks, the nested quote's both levels
      const quoted = now.slice(0, now.indexOf(''));
      for (const l of quoted) assert.match(l, /^JD>/, `${width}: ${JSON.stringify(l)} in ${JSON.stringify(now)}`);
      for (const l of quoted.filter((q) => q.includes('older') || q.includes('columns'))) assert.match(l, /^JD> AL> /);
      assert.ok(quoted.length > 5, `${width}: ${JSON.stringify(quoted)}`);
      // and so does the text saved
      for (const l of editor.text().split('\n').slice(0, quoted.length)) assert.match(l, /^JD>/);
      assert.equal(atCursor(editor), 'watche', `${width}: the cursor moved`);
      assert.equal(editor.byteCount, Buffer.byteLength(now.join('\n')));
    }
    editor.resize(80, 20);
    assert.deepEqual(lines(editor), at80);
    assert.equal(atCursor(editor), 'watche');
  });

  test('a cursor on the marks of a row the re-wrap made goes to the start of that row\'s text, and stays there', () => {
    const editor = reply(80);
    editor.resize(30, 20);
    assert.equal(editor.line(1).slice(0, 4), 'JD> ');
    editor.feed({ name: 'up' } as never);
    while (editor.cursor.row > 1) editor.feed({ name: 'up' } as never);
    editor.feed({ name: 'home' } as never);
    editor.feed({ name: 'right' } as never);
    const word = editor.line(1).slice(4, 10);
    editor.resize(80, 20);
    editor.resize(30, 20);
    assert.deepEqual(editor.cursor, { row: 1, col: 4 });
    assert.equal(atCursor(editor), word);
  });

  test('typing in a quoted paragraph is ordinary editing; a row whose marks are deleted is quoted no longer', () => {
    const editor = reply(80);
    editor.resize(30, 20);
    const at30 = lines(editor);
    // type at the end of the first row: the overflow goes on a row with the marks, and a resize keeps them
    while (editor.cursor.row > 0) editor.feed({ name: 'up' } as never);
    editor.feed({ name: 'end' } as never);
    editor.insertText(' added');
    editor.resize(24, 20);
    const quoted = lines(editor).slice(0, lines(editor).indexOf(''));
    for (const l of quoted) assert.match(l, /^JD>/, JSON.stringify(quoted));
    assert.match(editor.text(), /jumps\nJD> added over|jumps added\nJD> over|jumps added over/);
    editor.resize(80, 20);
    assert.match(editor.line(0), /^JD> The quick brown fox jumps added over the lazy dog while the sysop /);
    // the second row of a quoted paragraph at 30 columns, its marks deleted: it is the caller's own text now
    const again = reply(80);
    again.resize(30, 20);
    assert.deepEqual(lines(again), at30);
    while (again.cursor.row > 1) again.feed({ name: 'up' } as never);
    again.feed({ name: 'home' } as never);
    for (let i = 0; i < 4; i++) again.feed({ name: 'delete' } as never);
    const mine = again.line(1);
    assert.doesNotMatch(mine, /^JD>/);
    again.resize(80, 20);
    assert.ok(lines(again).includes(mine), JSON.stringify(lines(again)));
    assert.equal(again.line(0), at30[0]!.trimEnd());
  });

  test('typing into a quoted row until it overflows puts the overflow on a row with its marks; deleting brings it back up without them', () => {
    const editor = reply(80);
    const at80 = lines(editor);
    // the line fills the 80 columns: a word typed before 'watches' moves 'log' down
    while (editor.cursor.row > 0) editor.feed({ name: 'up' } as never);
    editor.feed({ name: 'home' } as never);
    while (atCursor(editor) !== 'watche') editor.feed({ name: 'right' } as never);
    editor.insertText('now ');
    assert.deepEqual(lines(editor).slice(0, 3), ['JD> The quick brown fox jumps over the lazy dog while the sysop now watches the', 'JD> log', at80[1]]);
    assert.equal(atCursor(editor), 'watche');
    assert.match(editor.text(), /watches the\nJD> log\nJD> scroll by/);
    assert.equal(editor.byteCount, Buffer.byteLength(lines(editor).join('\n')));
    // more typed there: the row it flowed onto takes the next words, after its marks
    editor.insertText('and then ');
    assert.deepEqual(lines(editor).slice(0, 2), ['JD> The quick brown fox jumps over the lazy dog while the sysop now and then', 'JD> watches the log']);
    assert.equal(atCursor(editor), 'watche');
    assert.deepEqual(editor.cursor, { row: 1, col: 4 });
    // deleted again (from the end of the first row's text), the words go back up without the marks they carried
    editor.feed({ name: 'up' } as never);
    editor.feed({ name: 'end' } as never);
    for (let i = 0; i < 'now and then '.length; i++) editor.feed({ name: 'backspace' } as never);
    assert.deepEqual(lines(editor), at80);
    assert.equal(atCursor(editor), ' watch');
    // at 30 columns, a word deleted from the first row lets the next row's first word up
    editor.resize(30, 20);
    while (editor.cursor.row > 0) editor.feed({ name: 'up' } as never);
    editor.feed({ name: 'home' } as never);
    while (atCursor(editor) !== 'quick ') editor.feed({ name: 'right' } as never);
    const before = lines(editor).slice(0, 2);
    for (let i = 0; i < 'quick '.length; i++) editor.feed({ name: 'delete' } as never);
    const now = lines(editor);
    const quoted = now.slice(0, now.indexOf(''));
    for (const l of quoted) assert.match(l, /^JD>(?!.*JD>)/, JSON.stringify(quoted));
    assert.equal(now[0], `${before[0]!.replace('quick ', '')} ${before[1]!.slice(4).split(' ')[0]}`);
    assert.equal(atCursor(editor), 'brown ');
    editor.resize(80, 20);
    assert.equal(editor.line(0), at80[0]!.replace('quick ', ''));
    assert.deepEqual(lines(editor).slice(1), at80.slice(1));
  });

  test('a quoted row overflowing at the end of a paragraph Enter ended: the row made carries the marks; a typed word that is not quoted text stays as typed', () => {
    const editor = new MessageEditor({ width: 30, height: 20, initial: 'AB> one two three four five\nmine' });
    editor.feed({ name: 'up' } as never);
    editor.feed({ name: 'end' } as never);
    editor.insertText(' sixty');
    assert.deepEqual(lines(editor), ['AB> one two three four five', 'AB> sixty', 'mine']);
    assert.deepEqual(editor.cursor, { row: 1, col: 9 });
    assert.equal(editor.text(), 'AB> one two three four five\nAB> sixty\nmine');
    // Enter ended the quoted paragraph: the caller's own line is not pulled up into it, nor marked
    for (let i = 0; i < ' sixty'.length; i++) editor.feed({ name: 'backspace' } as never);
    assert.deepEqual(lines(editor), ['AB> one two three four five', 'mine']);
    editor.feed({ name: 'down' } as never);
    editor.feed({ name: 'end' } as never);
    editor.insertText(' is a line of my own that wraps');
    assert.doesNotMatch(lines(editor).slice(2).join('\n'), /AB>/);
  });

  test('a quoted line picked from the quote window at a narrower width keeps its marks on every row, and joins up when wider', () => {
    const prefix = quotePrefix('John Doe');
    const quote = quoteLines(original, prefix, 80);
    const editor = new MessageEditor({ width: 30, height: 20, quote });
    for (const k of [{ name: 'char', ch: 'o', ctrl: true }, { name: 'enter' }, { name: 'escape' }]) editor.feed(k as never);
    const picked = lines(editor).slice(0, -1);
    assert.ok(picked.length > 2, JSON.stringify(picked));
    for (const l of picked) {
      assert.match(l, /^JD> /);
      assert.ok(displayWidth(l.trimEnd()) <= 29, l);
    }
    editor.resize(80, 20);
    assert.deepEqual(lines(editor), [quote[0], '']);
  });

  test('marks that would take the body past its byte bound are left off: the paragraph wraps as any other', () => {
    const line = `JD> ${'abcdefghi '.repeat(6)}abcdef`;
    const editor = new MessageEditor({ width: 80, height: 20, maxBytes: 80, initial: line });
    editor.resize(20, 20);
    assert.ok(editor.byteCount <= 80, String(editor.byteCount));
    assert.equal(editor.line(0).slice(0, 4), 'JD> ');
    assert.doesNotMatch(editor.line(1), /^JD>/);
    editor.resize(80, 20);
    assert.deepEqual(lines(editor), [line]);
  });
});

describe('the help screen', () => {
  test('F1 and Ctrl-K show every key, a page at a time at 40 columns, and any key goes back to the text unchanged', () => {
    const { editor, type } = driver({ width: 40, height: 8 });
    const screen = new EditorScreen(editor, { title: 'Subject: help' });
    type('hello');
    const text = (out: string): string => out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '\n');
    screen.draw(40, 10);
    for (const open of ['\x1bOP', '\x0b']) {
      type(open);
      assert.equal(editor.mode, 'help');
      const first = text(screen.draw(40, 10));
      assert.match(first, /Ctrl-Z {9}save the message/);
      assert.match(first, /Keys: any key for more, Esc back/);
      assert.doesNotMatch(first, /hello/);
      type(' ');
      const second = text(screen.draw(40, 10));
      assert.match(second, /F1 Ctrl-K {6}this help/);
      assert.match(second, /Keys: any key goes back/);
      type('q');
      assert.equal(editor.mode, 'edit');
      assert.equal(editor.text(), 'hello');
      assert.match(text(screen.draw(40, 10)), /hello/);
    }
    // Esc goes back from the first page, without asking to abort
    type('\x0b');
    type('\x1b');
    assert.equal(editor.mode, 'edit');
    assert.equal(editor.text(), 'hello');
  });
});

describe('the help screen on a narrow screen', () => {
  /** The rows a whole redraw paints, by row number, escapes removed. */
  const painted = (screen: EditorScreen, cols: number, rows: number): Map<number, string> => {
    screen.invalidate();
    const out = screen.draw(cols, rows);
    const map = new Map<number, string>();
    for (const m of out.matchAll(/\x1b\[(\d+);1H(.*?)(?=\x1b\[\d+;\d+H|$)/gs)) map.set(Number(m[1]), m[2]!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''));
    return map;
  };

  test('at 20 to 30 columns every key and all of its words are shown, wrapped, never cut; the status row fits', () => {
    for (const cols of [20, 22, 24, 27, 30]) {
      const rows = 10;
      const { editor, type } = driver({ width: cols, height: EditorScreen.textRows(rows) });
      const screen = new EditorScreen(editor, { title: 'Subject: help' });
      type('hello\x0b');
      const shown: string[] = [];
      for (let page = 0; editor.mode === 'help' && page < 20; page++) {
        const frame = painted(screen, cols, rows);
        for (const [, row] of frame) assert.ok(displayWidth(row.trimEnd()) <= cols - 1, `${cols} columns: ${JSON.stringify(row)}`);
        for (let r = 2; r < rows; r++) shown.push(frame.get(r)!.trim());
        const status = frame.get(rows)!.trimEnd();
        assert.ok([' Keys: any key for more, Esc back', ' Keys: any key goes back', ' Any key: more', ' Any key: back'].includes(status), `${cols} columns: status ${JSON.stringify(status)}`);
        type(' ');
      }
      assert.equal(editor.mode, 'edit');
      assert.equal(editor.text(), 'hello');
      // (each key's words read on across its rows: joined, the whole description is there)
      const text = shown.filter((r) => r !== '').join(' ').replace(/ +/g, ' ');
      for (const [keys, does] of EDITOR_KEYS) {
        assert.ok(text.includes(keys), `${cols} columns: ${keys} missing from ${JSON.stringify(text)}`);
        assert.ok(text.includes(does), `${cols} columns: '${does}' cut or missing from ${JSON.stringify(text)}`);
      }
    }
  });

  test('at 30 columns a description wraps under itself beside its key; at 24 each key has its words indented under it', () => {
    assert.deepEqual(helpRows(29).slice(0, 3), ['Ctrl-Z         save the', '               message', 'Esc            abort (asks']);
    assert.deepEqual(helpRows(23).slice(0, 4), ['Ctrl-Z', '  save the message', 'Esc', '  abort (asks first)']);
    // 40 columns and more: one key a row, as before
    assert.equal(helpRows(39).length, EDITOR_KEYS.length);
  });
});

describe('a stopped paste (dropPaste)', () => {
  const paste = (editor: MessageEditor, text: string): void => {
    for (const ch of text) editor.feed(ch === '\n' ? { name: 'enter', raw: '\r', pasted: true } : { name: 'char', ch, raw: ch, pasted: true });
  };

  test('what the paste typed in the paragraph the cursor is in goes, across the rows it wrapped onto; the lines it finished stay', () => {
    const editor = new MessageEditor({ width: 20, height: 10 });
    editor.insertText('kept line\n');
    paste(editor, 'pasted line\nthe pasted paragraph that wraps onto rows of its own');
    assert.ok(editor.wrapped(2), 'it wrapped');
    editor.dropPaste();
    assert.equal(editor.text(), 'kept line\npasted line');
    assert.deepEqual(editor.cursor, { row: 2, col: 0 });
  });

  test('what the caller typed by hand on the line before the paste began stays, wrapped rows and all', () => {
    const editor = new MessageEditor({ width: 20, height: 10 });
    editor.insertText('kept line\nby hand on a line that wraps, then');
    assert.ok(editor.wrapped(1), 'it wrapped');
    paste(editor, ' the pasted words that wrap onto rows of their own');
    editor.dropPaste();
    assert.equal(editor.text(), 'kept line\nby hand on a line\nthat wraps, then');
    // Only once, and a key typed by hand ends the paste: nothing more goes.
    editor.dropPaste();
    paste(editor, ' more');
    editor.feed({ name: 'char', ch: '!', raw: '!' });
    editor.dropPaste();
    assert.equal(editor.text(), 'kept line\nby hand on a line\nthat wraps, then\nmore!');
  });
});

describe('line mode', () => {
  test('/s saves, /a aborts, /l lists, /q quotes a range', () => {
    const ed = new LineModeEditor({ maxBytes: 1000, maxLines: 10, quote: ['Q> a', 'Q> b', 'Q> c'] });
    assert.deepEqual(ed.feedLine('/s'), { kind: 'continue', refused: 'Nothing to send yet: type a line first, or /a aborts.' });
    ed.feedLine('hello');
    assert.deepEqual(ed.feedLine('/q 2-3'), { kind: 'quoted', lines: ['Q> b', 'Q> c'] });
    assert.deepEqual(ed.feedLine('/l'), { kind: 'list', lines: ['hello', 'Q> b', 'Q> c'] });
    assert.deepEqual(ed.feedLine('/S'), { kind: 'save', text: 'hello\nQ> b\nQ> c' });
    assert.deepEqual(ed.feedLine('/a'), { kind: 'abort' });
    assert.deepEqual(pickLines(['a', 'b', 'c'], '3,1,9'), ['c', 'a']);
  });

  test('a line that only starts like a command is text (it saved, aborted or quoted)', () => {
    const ed = new LineModeEditor({ maxBytes: 1000, maxLines: 10, quote: ['Q> a'] });
    for (const line of ['/sure, see you then', '/all of it', '/quit smoking', '/list follows', '/?!']) assert.deepEqual(ed.feedLine(line), { kind: 'continue' }, line);
    assert.equal(ed.written.length, 5);
    assert.deepEqual(ed.feedLine(' /S '), { kind: 'save', text: ed.text });
  });

  test('the text it starts with is lines 1 on (its final newline adds none); /d deletes, /e names a line, replace changes it', () => {
    const ed = new LineModeEditor({ maxBytes: 1000, maxLines: 10, initial: 'Q> a\nQ> b\nQ> c\n\n' });
    assert.deepEqual(ed.written, ['Q> a', 'Q> b', 'Q> c', '']);
    ed.feedLine('mine');
    assert.deepEqual(ed.feedLine('/d 1,3'), { kind: 'deleted', numbers: [1, 3], lines: ['Q> b', '', 'mine'] });
    assert.deepEqual(ed.feedLine('/e 3'), { kind: 'edit', line: 3, text: 'mine' });
    assert.equal(ed.replace(3, 'yours'), undefined);
    assert.equal(ed.text, 'Q> b\n\nyours');
    assert.equal(ed.feedLine('/d 9').kind, 'continue');
    assert.equal(ed.feedLine('/e').kind, 'continue');
    assert.equal(ed.written.length, 3, 'a refused /d or /e adds no line');
    // Text that starts like a command is text.
    assert.deepEqual(ed.feedLine('/dev/null is empty'), { kind: 'continue' });
    assert.equal(ed.written[3], '/dev/null is empty');
  });

  test('an edited line that would not fit is refused and stays; deleting frees its bytes', () => {
    const ed = new LineModeEditor({ maxBytes: 12, maxLines: 5, initial: 'abcde\nfghij' });
    assert.match(ed.replace(1, 'abcdefg')!, /full/);
    assert.equal(ed.text, 'abcde\nfghij');
    assert.equal(ed.feedLine('x').kind, 'continue');
    assert.equal(ed.written.length, 2, 'full');
    ed.feedLine('/d 2');
    ed.feedLine('xyz');
    assert.equal(ed.text, 'abcde\nxyz');
  });

  test('line mode is bounded', () => {
    const ed = new LineModeEditor({ maxBytes: 10, maxLines: 2 });
    ed.feedLine('12345');
    assert.equal(ed.feedLine('123456').kind, 'continue');
    assert.equal(ed.text, '12345');
  });
});

describe('Enter after a row that a cut word continues, at the end of the text (fuzz seed 39)', () => {
  test('does not throw: the quoted reflow after it starts from a line that still exists', () => {
    const editor = new MessageEditor({ width: 6, height: 5, maxLines: 4, maxBytes: 400 });
    const decoder = new KeyDecoder();
    const keys = ['\x1b[2~', '  ', '  ', '漢', '\x1bOP', 'resize:9', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'ccc ', 'a', '\x19', 'a', 'resize:6', '漢', 'a', '\x1b[3~', '\r'];
    for (const k of keys) {
      const resize = /^resize:(\d+)$/.exec(k);
      if (resize) editor.resize(Number(resize[1]), 5);
      else for (const key of [...decoder.push(k), ...(decoder.pendingEscape ? decoder.flush() : [])]) assert.doesNotThrow(() => editor.feed(key), JSON.stringify(k));
    }
    assert.ok(editor.cursor.row < editor.lineCount);
  });
});

describe('editing the rows a narrower window broke a quoted line into (fuzz seeds 19 and 40)', () => {
  const rows = (e: MessageEditor): string[] => Array.from({ length: e.lineCount }, (_, i) => e.line(i));
  const keys = (e: MessageEditor, ...names: string[]): void => {
    for (const name of names) e.feed({ name } as never);
  };
  /** A quoted line at 40 columns, narrowed to 14. */
  const narrowed = (line: string): MessageEditor => {
    const editor = new MessageEditor({ width: 40, height: 10, initial: line });
    editor.resize(14, 10);
    return editor;
  };
  /** The rows are `want`, the byte count theirs, and 40 columns join them again into `joined`. */
  const laidOut = (editor: MessageEditor, want: string[], joined: string[]): void => {
    assert.deepEqual(rows(editor), want);
    assert.equal(editor.byteCount, Buffer.byteLength(want.join('\n')));
    editor.resize(40, 10);
    assert.deepEqual(rows(editor), joined);
  };

  test('a word typed after `AB> ` typed into a quoted row goes onto the next row with the marks, and the rest of the paragraph up behind it', () => {
    // 'AB> ' typed inside the first row: the row the marks alone are left on would read as two levels
    // of marks with the typed text after them, so it keeps the marks alone; the rest flows as any quoted row's
    const editor = new MessageEditor({ width: 14, height: 10, initial: 'AB>  bbword aaaa' });
    assert.deepEqual(rows(editor), ['AB>  bbword', 'AB> aaaa']);
    keys(editor, 'up', 'home', ...Array<string>(7).fill('right'));
    editor.insertText('AB> ');
    assert.deepEqual(editor.cursor, { row: 2, col: 4 });
    laidOut(editor, ['AB> ', 'AB> bbAB>', 'AB> word aaaa'], ['AB>  bbAB> word aaaa']);
  });

  test('Backspace right after the marks carried onto a row takes its break, as at the start of a wrapped row: the words either side join, the row keeps its marks', () => {
    const editor = narrowed('AB> foo bar baz qux');
    assert.deepEqual(rows(editor), ['AB> foo bar', 'AB> baz qux']);
    keys(editor, 'home', 'right', 'right', 'right', 'right');
    assert.deepEqual(editor.cursor, { row: 1, col: 4 });
    keys(editor, 'backspace');
    assert.deepEqual(editor.cursor, { row: 1, col: 7 });
    laidOut(editor, ['AB> foo', 'AB> barbaz', 'AB> qux'], ['AB> foo barbaz qux']);
  });

  test('Backspace right after the marks carried onto a row that goes on with a word cut at the edge takes the character before the cut', () => {
    const editor = narrowed('AB> abcdefghijkl');
    assert.deepEqual(rows(editor), ['AB> abcdefghi', 'AB> jkl']);
    keys(editor, 'home', 'right', 'right', 'right', 'right', 'backspace');
    assert.deepEqual(editor.cursor, { row: 0, col: 12 });
    laidOut(editor, ['AB> abcdefghj', 'AB> kl'], ['AB> abcdefghjkl']);
  });

  test('Delete at the end of a row whose paragraph goes on with carried marks takes the break, as at the end of a wrapped row', () => {
    const editor = narrowed('AB> foo bar baz qux');
    keys(editor, 'up', 'end', 'delete');
    assert.deepEqual(editor.cursor, { row: 1, col: 7 });
    laidOut(editor, ['AB> foo', 'AB> barbaz', 'AB> qux'], ['AB> foo barbaz qux']);
    // and in a word cut at the edge, the character after the cut (the cursor before the next one, at the row's start)
    const cut = narrowed('AB> abcdefghijkl');
    keys(cut, 'up', 'end', 'delete');
    assert.deepEqual(cut.cursor, { row: 1, col: 4 });
    laidOut(cut, ['AB> abcdefghi', 'AB> kl'], ['AB> abcdefghikl']);
  });

  test('a character typed before the marks of the first row: the rows that carried them are a paragraph of their own, its words flowed up as far as they fit', () => {
    const editor = narrowed('AB> onetwo AB> xx AB> yy');
    assert.deepEqual(rows(editor), ['AB> onetwo', 'AB> AB> xx', 'AB> AB> yy']);
    keys(editor, 'up', 'up', 'home');
    editor.feed({ name: 'char', ch: 'Z' } as never);
    // 'ZAB> ' are the first row's marks now: the rows below do not carry them, and read as
    // quoted twice (`AB> AB> `), a paragraph whose second row's word fits on its first
    assert.deepEqual(editor.cursor, { row: 0, col: 1 });
    laidOut(editor, ['ZAB> onetwo', 'AB> AB> xx yy'], ['ZAB> onetwo', 'AB> AB> xx yy']);
  });
});
