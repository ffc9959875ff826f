import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyDecoder, type Key } from './keys.js';
import { BELL, LineEditor, type LineEditorOptions, type LineEditorResult } from './line-editor.js';
import { charWidth } from './text-width.js';

/**
 * A one-line terminal: enough of one to check what the editor draws. It applies BS,
 * CSI n C/D, BEL and printable characters (wide ones take two cells), and records the
 * rightmost column ever written so tests can hold the editor to its field.
 */
class LineScreen {
  cells: string[] = [];
  cursor = 0;
  maxWritten = -1;
  bells = 0;

  apply(out: string): void {
    let i = 0;
    const chars = [...out];
    while (i < chars.length) {
      const ch = chars[i]!;
      if (ch === '\b') {
        this.cursor = Math.max(0, this.cursor - 1);
        i++;
      } else if (ch === BELL) {
        this.bells++;
        i++;
      } else if (ch === '\x1b') {
        const m = /^\x1b\[(\d+)([CD])/.exec(chars.slice(i, i + 8).join(''));
        assert.ok(m, `unexpected escape in editor output: ${JSON.stringify(chars.slice(i, i + 8).join(''))}`);
        const n = Number(m[1]);
        this.cursor += m[2] === 'C' ? n : -n;
        assert.ok(this.cursor >= 0, 'cursor moved left of the field');
        i += m[0].length;
      } else {
        const w = charWidth(ch);
        assert.ok(w > 0, `control in editor output: ${JSON.stringify(ch)}`);
        this.cells[this.cursor] = ch;
        if (w === 2) this.cells[this.cursor + 1] = '';
        this.maxWritten = Math.max(this.maxWritten, this.cursor + w - 1);
        this.cursor += w;
        i++;
      }
    }
  }

  get text(): string {
    return Array.from(this.cells, (c) => c ?? ' ').join('').replace(/ +$/, '');
  }
}

function setup(opts: Partial<LineEditorOptions> = {}) {
  const editor = new LineEditor({ maxLength: 80, cols: 80, ...opts });
  const screen = new LineScreen();
  const decoder = new KeyDecoder();
  screen.apply(editor.start());
  let last: LineEditorResult = { output: '' };
  const type = (text: string): LineEditorResult => {
    for (const key of decoder.push(text)) last = press(key);
    return last;
  };
  const press = (key: Key): LineEditorResult => {
    last = editor.feed(key);
    screen.apply(last.output);
    return last;
  };
  return { editor, screen, type, press };
}

const LEFT = '\x1b[D';
const RIGHT = '\x1b[C';
const UP = '\x1b[A';
const DOWN = '\x1b[B';
const HOME = '\x1b[H';
const END = '\x1b[F';
const DEL = '\x1b[3~';

test('typed characters are echoed and Enter returns the line', () => {
  const { type, screen } = setup();
  type('hello');
  assert.equal(screen.text, 'hello');
  const r = type('\r');
  assert.deepEqual(r, { output: '', done: true, value: 'hello' });
});

test('typing at the end echoes just the character', () => {
  const { editor } = setup();
  assert.deepEqual(editor.feed({ name: 'char', ch: 'x', raw: 'x' }), { output: 'x' });
});

test('the default is drawn by start and the cursor waits at its end', () => {
  const editor = new LineEditor({ maxLength: 20, cols: 80, default: 'guest' });
  assert.equal(editor.start(), 'guest');
  assert.equal(editor.cursorIndex, 5);
});

test('drawn() gives a copy of the field as the caller has it, scrolled and with the cursor where theirs is, and changes nothing', () => {
  const { editor, screen, type } = setup({ cols: 12 });
  type('the quick brown fox');
  type(`${LEFT}${LEFT}${LEFT}`);
  const copy = new LineScreen();
  copy.apply(editor.drawn());
  assert.equal(copy.text, screen.text);
  assert.equal(copy.cursor, screen.cursor);
  // The caller's next key still redraws from what the caller was sent.
  assert.equal(editor.drawn(), editor.drawn());
  type('X');
  const after = new LineScreen();
  after.apply(editor.drawn());
  assert.equal(after.text, screen.text);
  assert.equal(after.cursor, screen.cursor);
  assert.equal(editor.value, 'the quick brown Xfox');
});

test('backspace at the end erases one character with BS space BS', () => {
  const { type, screen } = setup();
  type('abc');
  assert.equal(type('\x7f').output, '\b \b');
  assert.equal(screen.text, 'ab');
  type('\x08\x08\x08');
  assert.equal(screen.text, '');
  assert.equal(type('\r').value, '');
});

test('inserting in the middle redraws the tail and puts the cursor back', () => {
  const { type, screen, editor } = setup();
  type('helo');
  type(LEFT);
  const r = type('l');
  assert.equal(r.output, 'lo\b');
  assert.equal(screen.text, 'hello');
  assert.equal(screen.cursor, 4);
  assert.equal(editor.cursorIndex, 4);
});

test('delete, home and end edit where the cursor is', () => {
  const { type, screen } = setup();
  type('xhello!');
  type(HOME);
  type(DEL);
  type(END);
  type('\x7f');
  assert.equal(screen.text, 'hello');
  assert.equal(type('\r').value, 'hello');
});

test('ctrl-A, ctrl-E, ctrl-B, ctrl-F and ctrl-D work like readline', () => {
  const { type, screen } = setup();
  type('bc');
  type('\x01a');
  type('\x05d');
  type('\x02\x02\x04');
  type('\x06X');
  assert.equal(screen.text, 'abdX');
});

test('ctrl-U deletes to the start, ctrl-K to the end, ctrl-W the word before the cursor', () => {
  const a = setup();
  a.type('one two three');
  a.type('\x17');
  assert.equal(a.screen.text, 'one two');
  a.type('\x17\x17');
  assert.equal(a.screen.text, '');

  const b = setup();
  b.type('keep|drop');
  b.type(LEFT.repeat(4));
  b.type('\x0b');
  assert.equal(b.screen.text, 'keep|');
  b.type(LEFT);
  b.type('\x15');
  assert.equal(b.screen.text, '|');
  assert.equal(b.editor.cursorIndex, 0);
});

test('up and down walk the history and bring back the line being typed', () => {
  const { type, screen } = setup({ history: ['first', 'second'] });
  type('draft');
  type(UP);
  assert.equal(screen.text, 'second');
  type(UP);
  assert.equal(screen.text, 'first');
  type(UP);
  assert.equal(screen.text, 'first');
  type(DOWN);
  type(DOWN);
  assert.equal(screen.text, 'draft');
  type(UP);
  assert.equal(type('\r').value, 'second');
});

test('a star mask echoes one star per character and returns the real value', () => {
  const { type, screen } = setup({ mask: '*' });
  type('secret');
  assert.equal(screen.text, '******');
  type(LEFT);
  type('\x7f');
  assert.equal(screen.text, '*****');
  assert.equal(type('\r').value, 'secrt');
});

test('an empty mask echoes nothing at all', () => {
  const { type, editor } = setup({ mask: '' });
  let out = editor.start();
  for (const ch of 'pass') out += type(ch).output;
  out += type(LEFT).output + type('\x7f').output + type(HOME).output;
  assert.equal(out, '');
  assert.equal(type('\r').value, 'pas');
});

test('a masked field has no history', () => {
  const { type, screen } = setup({ mask: '*', history: ['hunter2'] });
  type(UP);
  assert.equal(screen.text, '');
  assert.equal(type('\r').value, '');
});

test('maxLength rings the bell and drops the extra character', () => {
  const { type, screen } = setup({ maxLength: 3 });
  type('abcd');
  assert.equal(screen.text, 'abc');
  assert.equal(screen.bells, 1);
  assert.equal(type('\r').value, 'abc');
});

test('a default or history entry longer than maxLength is cut', () => {
  const { type, screen } = setup({ maxLength: 4, default: 'abcdef', history: ['123456'] });
  assert.equal(screen.text, 'abcd');
  type(UP);
  assert.equal(type('\r').value, '1234');
});

test('a long line scrolls inside the field and never reaches the last column', () => {
  const { type, screen, editor } = setup({ cols: 10, maxLength: 60 });
  const text = 'abcdefghijklmnopqrstuvwxyz0123456789';
  type(text);
  assert.ok(screen.maxWritten <= 8, `wrote column ${screen.maxWritten}`);
  assert.ok(text.endsWith(screen.text), `field shows ${screen.text}`);
  type(HOME);
  assert.equal(screen.text, text.slice(0, 9));
  assert.equal(screen.cursor, 0);
  type(END);
  assert.ok(screen.maxWritten <= 8);
  assert.equal(editor.cursorIndex, text.length);
  assert.equal(type('\r').value, text);
});

test('when the line fits again after deleting, the whole line is shown', () => {
  const { type, screen } = setup({ cols: 10 });
  type('abcdefghijkl');
  type('\x7f'.repeat(5));
  assert.equal(screen.text, 'abcdefg');
});

test('Escape and ctrl-C are ignored unless the line is cancelable', () => {
  const plain = setup();
  plain.type('abc');
  plain.press({ name: 'escape', raw: '\x1b' });
  plain.type('\x03');
  assert.equal(plain.type('\r').value, 'abc');

  const c = setup({ cancelable: true });
  c.type('abc');
  assert.deepEqual(c.press({ name: 'escape', raw: '\x1b' }), { output: '', done: true, cancelled: true });
  assert.deepEqual(c.type('x'), { output: '' });
  const d = setup({ cancelable: true });
  assert.deepEqual(d.type('\x03'), { output: '', done: true, cancelled: true });
});

test('characters that take no column ring the bell and are not inserted', () => {
  const { type, screen } = setup();
  type('e\u0301');
  assert.equal(screen.bells, 1);
  assert.equal(type('\r').value, 'e');
});

test('wide characters take two columns and the cursor stays with them', () => {
  const { type, screen } = setup({ cols: 8 });
  type('日本語');
  assert.equal(screen.cursor, 6);
  type(LEFT + LEFT);
  assert.equal(screen.cursor, 2);
  type('x');
  assert.equal(screen.text, '日x本語');
  assert.ok(screen.maxWritten <= 6);
  assert.equal(type('\r').value, '日x本語');
});

test('keys after the line is done change nothing', () => {
  const { type } = setup();
  type('a\r');
  assert.deepEqual(type('b'), { output: '' });
});

test('a stopped paste (dropPaste) takes what the pasted keys typed; what was typed by hand before them stays, shown and in the line', () => {
  const { editor, screen, type, press } = setup({ maxLength: 20 });
  type('by hand');
  // The pasted keys: in the middle of the line, past maxLength too (the bells change nothing).
  press({ name: 'left', raw: LEFT });
  for (const ch of 'PASTED TEXT THAT OVERFLOWS') press({ name: 'char', ch, raw: ch, pasted: true });
  assert.equal(editor.value.length, 20);
  screen.apply(editor.dropPaste().output);
  assert.equal(editor.value, 'by hand');
  assert.equal(screen.text, 'by hand');
  assert.equal(editor.cursorIndex, 6, 'the cursor where it was when the paste began');
  // Only once: a key typed by hand after it ends the paste, and there is nothing more to drop.
  assert.deepEqual(editor.dropPaste(), { output: '' });
  type('!');
  for (const ch of 'xy') press({ name: 'char', ch, raw: ch, pasted: true });
  type('z');
  assert.deepEqual(editor.dropPaste(), { output: '' }, 'a key typed by hand after the paste: nothing is dropped');
  assert.equal(editor.value, 'by han!xyzd');
});

test("a new width (resize) keeps the line, its cursor and a paste's mark: a Ctrl-C after it still takes only what the paste typed", () => {
  const { editor, type, press } = setup({ cols: 40, maxLength: 60 });
  type('by hand');
  press({ name: 'left', raw: LEFT });
  for (const ch of 'PASTED TEXT THAT GOES ON PAST THE NARROW FIELD') press({ name: 'char', ch, raw: ch, pasted: true });
  editor.resize(12);
  // Drawn again from where the field begins, on a screen 12 columns across from there.
  const narrow = new LineScreen();
  narrow.apply(editor.start());
  assert.ok(narrow.maxWritten <= 10, `drawn within the new field: column ${narrow.maxWritten}`);
  assert.equal(editor.cursorIndex, 6 + 'PASTED TEXT THAT GOES ON PAST THE NARROW FIELD'.length, 'the cursor stays on its character');
  for (const ch of ' MORE') narrow.apply(editor.feed({ name: 'char', ch, raw: ch, pasted: true }).output);
  // Fails without: the line built again from its text at the new width forgot where the paste began.
  narrow.apply(editor.dropPaste().output);
  assert.equal(editor.value, 'by hand');
  assert.equal(narrow.text, 'by hand');
  assert.equal(editor.cursorIndex, 6);
  assert.ok(narrow.maxWritten <= 10);
});

test('the screen always matches the value, whatever is typed', () => {
  const keyArb = fc.constantFrom('a', 'b', ' ', '日', 'é', LEFT, RIGHT, HOME, END, DEL, '\x7f', UP, DOWN, '\x01', '\x05', '\x0b', '\x15', '\x17', '\x1b[1;5D', '\x1b[1;5C');
  fc.assert(
    fc.property(fc.array(keyArb, { maxLength: 60 }), fc.integer({ min: 4, max: 30 }), fc.constantFrom(undefined, '*'), (keys, cols, mask) => {
      const { editor, screen, type } = setup({ cols, maxLength: 40, history: ['old line', 'x'], mask });
      for (const k of keys) {
        type(k);
        assert.ok(screen.maxWritten <= cols - 2, `wrote column ${screen.maxWritten} with cols ${cols}`);
        assert.ok(screen.cursor <= cols - 2, `cursor at column ${screen.cursor} with cols ${cols}`);
        const chars = [...editor.value].map((c) => (mask ? mask : c));
        // Some window of the value starting at s is on screen, and the cursor sits on its character.
        const shown = screen.cells.join('');
        let found = false;
        for (let s = 0; s <= chars.length && !found; s++) {
          let col = 0;
          let i = s;
          let cursorCol = -1;
          let drawn = '';
          while (i < chars.length) {
            if (i === editor.cursorIndex) cursorCol = col;
            const w = charWidth(chars[i]!);
            if (col + w > cols - 1) break;
            drawn += chars[i];
            col += w;
            i++;
          }
          if (cursorCol === -1 && editor.cursorIndex === i) cursorCol = col;
          const onScreen = shown.replace(/ +$/, '');
          if (drawn.replace(/ +$/, '') === onScreen && cursorCol === screen.cursor) found = true;
        }
        assert.ok(found, `screen ${JSON.stringify(shown)} cursor ${screen.cursor} value ${JSON.stringify(editor.value)} at ${editor.cursorIndex}`);
      }
    }),
    { numRuns: 1500 },
  );
});
