import { CarrierError, ErrorCodes } from '@carrier/core';
import type { Key, NamedKey } from './keys.js';
import { charWidth } from './text-width.js';

/**
 * One input line, edited in place: a pure state machine fed keys, returning the
 * bytes to draw. It never writes, never waits, and knows nothing of the connection.
 *
 * Keys: printable characters insert at the cursor; Backspace and Delete (also ^D)
 * remove; Left/Right (^B/^F), Home/End (^A/^E), Ctrl-Left/Right and Alt-B/F (words)
 * move; ^U deletes from the start to the cursor, ^K from the cursor to the end, ^W
 * the word before the cursor; Up/Down (^P/^N) walk `history` (oldest first), the line
 * being typed is kept and comes back below the newest entry. Enter finishes.
 *
 * Decisions the caller relies on:
 * - Field width: `cols` is how many columns there are from where the cursor stands at
 *   start() to the right edge of the screen. The editor draws in at most `cols - 1` of
 *   them: never the last column, where ANSI-BBS terminals wrap at once. A longer value
 *   scrolls horizontally; after a scroll the cursor sits two thirds across, so typing on
 *   does not redraw at every key.
 * - Cancelling: Escape and ^C cancel only with `cancelable: true` (the result then has
 *   done and cancelled, and no value); otherwise they are ignored.
 * - Masking: `mask: '*'` echoes one '*' per character, `mask: ''` echoes nothing and
 *   the cursor does not move. A masked field has no history, so earlier answers (other
 *   passwords) cannot be walked back into view.
 * - maxLength counts characters (code points); a character past it rings the bell
 *   (BEL, 0x07) and is dropped. A longer default or history entry is cut to fit.
 * - Characters that take no column (controls, combining marks) ring the bell and are
 *   not inserted: the editor must know where the terminal's cursor is.
 * - Enter draws nothing; the caller decides what follows the line (usually CR LF).
 */

export interface LineEditorOptions {
  /** echo this character for each typed one; '' echoes nothing */
  mask?: string;
  maxLength: number;
  /** the value the line starts with, cursor at its end */
  default?: string;
  /** earlier answers, oldest first */
  history?: readonly string[];
  /** columns from the start position to the right edge of the screen */
  cols: number;
  /** Escape and ^C cancel the line; default false */
  cancelable?: boolean;
}

export interface LineEditorResult {
  output: string;
  done?: true;
  value?: string;
  cancelled?: true;
}

interface Cell {
  text: string;
  width: number;
}

export const BELL = '\x07';

/** Beyond this many columns a cursor move is shorter as CSI n D / CSI n C. */
const MAX_STEP_MOVE = 4;

export class LineEditor {
  private readonly maxLength: number;
  private width: number;
  private readonly maskCell: Cell | null | undefined;
  private readonly history: readonly string[];
  private readonly cancelable: boolean;
  private chars: string[];
  private cursor: number;
  private scroll = 0;
  private shown: Cell[] = [];
  private shownCursor = 0;
  private historyIndex: number;
  private draft: string[] = [];
  private finished = false;
  /** The line as it was before the paste being typed into it began (its first `pasted` key). */
  private beforePaste: { chars: string[]; cursor: number } | undefined;

  constructor(opts: LineEditorOptions) {
    if (!Number.isInteger(opts.maxLength) || opts.maxLength < 0) {
      throw new CarrierError(ErrorCodes.VALIDATION, `line editor maxLength must be a non-negative integer, got ${opts.maxLength}`);
    }
    if (!Number.isFinite(opts.cols)) {
      throw new CarrierError(ErrorCodes.VALIDATION, `line editor cols must be a number, got ${opts.cols}`);
    }
    this.maxLength = opts.maxLength;
    this.width = fieldWidth(opts.cols);
    this.cancelable = opts.cancelable ?? false;
    if (opts.mask === undefined) {
      this.maskCell = undefined;
    } else {
      const m = [...opts.mask][0] ?? '';
      const w = charWidth(m);
      this.maskCell = w === 0 ? null : { text: m, width: w };
    }
    this.history = this.maskCell === undefined ? (opts.history ?? []) : [];
    this.historyIndex = this.history.length;
    this.chars = this.fit(opts.default ?? '');
    this.cursor = this.chars.length;
  }

  /** The line as typed so far. */
  get value(): string {
    return this.chars.join('');
  }

  /** Where the cursor is, in characters from the start of the value. */
  get cursorIndex(): number {
    return this.cursor;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Draw the initial value; the terminal's cursor must be where the field begins. */
  start(): string {
    this.shown = [];
    this.shownCursor = 0;
    return this.render();
  }

  /**
   * The field as it is on the caller's screen, drawn from where it begins, the cursor left
   * where the caller's is: for a copy of their screen (a sysop's spy, a line put back under
   * a notice). Changes nothing: what the caller was sent is still what the next key redraws from.
   */
  drawn(): string {
    const { cells, cursorCol } = this.layout();
    return cells.map((c) => c.text).join('') + move(widthOf(cells, cells.length), cursorCol, cells);
  }

  /**
   * The screen changed size: the field is now `cols` wide (as the option). Everything else
   * stays: the line, the cursor on its character, the history walk, and where a paste being
   * typed in began (a Ctrl-C after the resize still takes only what the paste typed). Draws
   * nothing: the caller redraws the screen and then the field with start().
   */
  resize(cols: number): void {
    if (!Number.isFinite(cols)) throw new CarrierError(ErrorCodes.VALIDATION, `line editor cols must be a number, got ${cols}`);
    this.width = fieldWidth(cols);
    this.scroll = 0;
  }

  feed(key: Key): LineEditorResult {
    if (this.finished || key.name === 'cpr') return { output: '' };
    if (!key.pasted) this.beforePaste = undefined;
    else this.beforePaste ??= { chars: this.chars.slice(), cursor: this.cursor };
    switch (key.name) {
      case 'enter':
        this.finished = true;
        return { output: '', done: true, value: this.value };
      case 'escape':
        return this.cancel();
      case 'backspace':
        if (key.alt || key.ctrl) return this.edit(() => this.deleteWordBack());
        return this.edit(() => this.cursor > 0 && this.chars.splice(--this.cursor, 1));
      case 'delete':
        return this.edit(() => this.chars.splice(this.cursor, 1));
      case 'left':
        return this.edit(() => (this.cursor = key.ctrl || key.alt ? this.wordLeft() : Math.max(0, this.cursor - 1)));
      case 'right':
        return this.edit(() => (this.cursor = key.ctrl || key.alt ? this.wordRight() : Math.min(this.chars.length, this.cursor + 1)));
      case 'home':
        return this.edit(() => (this.cursor = 0));
      case 'end':
        return this.edit(() => (this.cursor = this.chars.length));
      case 'up':
        return this.edit(() => this.historyStep(-1));
      case 'down':
        return this.edit(() => this.historyStep(1));
      case 'char':
        return this.charKey(key);
      default:
        return { output: '' };
    }
  }

  /**
   * The paste being typed into the line was stopped (Ctrl-C): the line goes back to what it
   * was before the paste's first key, so what the caller typed by hand stays. Nothing
   * changes when no paste is being typed (the last key was typed by hand).
   */
  dropPaste(): LineEditorResult {
    const before = this.beforePaste;
    if (this.finished || !before) return { output: '' };
    this.beforePaste = undefined;
    return this.edit(() => {
      this.chars = before.chars;
      this.cursor = before.cursor;
    });
  }

  private charKey(key: NamedKey): LineEditorResult {
    const ch = key.ch ?? '';
    if (key.ctrl) {
      switch (ch) {
        case 'a': return this.edit(() => (this.cursor = 0));
        case 'e': return this.edit(() => (this.cursor = this.chars.length));
        case 'b': return this.edit(() => (this.cursor = Math.max(0, this.cursor - 1)));
        case 'f': return this.edit(() => (this.cursor = Math.min(this.chars.length, this.cursor + 1)));
        case 'd': return this.edit(() => this.chars.splice(this.cursor, 1));
        case 'u': return this.edit(() => this.deleteToStart());
        case 'k': return this.edit(() => this.chars.splice(this.cursor));
        case 'w': return this.edit(() => this.deleteWordBack());
        case 'p': return this.edit(() => this.historyStep(-1));
        case 'n': return this.edit(() => this.historyStep(1));
        case 'c': return this.cancel();
        default: return { output: '' };
      }
    }
    if (key.alt) {
      if (ch === 'b') return this.edit(() => (this.cursor = this.wordLeft()));
      if (ch === 'f') return this.edit(() => (this.cursor = this.wordRight()));
      return { output: '' };
    }
    if (charWidth(ch) === 0 || [...ch].length !== 1) return { output: BELL };
    if (this.chars.length >= this.maxLength) return { output: BELL };
    this.chars.splice(this.cursor++, 0, ch);
    return { output: this.render() };
  }

  private cancel(): LineEditorResult {
    if (!this.cancelable) return { output: '' };
    this.finished = true;
    return { output: '', done: true, cancelled: true };
  }

  private edit(change: () => unknown): LineEditorResult {
    change();
    return { output: this.render() };
  }

  private deleteToStart(): void {
    this.chars.splice(0, this.cursor);
    this.cursor = 0;
  }

  private deleteWordBack(): void {
    const to = this.wordLeft();
    this.chars.splice(to, this.cursor - to);
    this.cursor = to;
  }

  private wordLeft(): number {
    let i = this.cursor;
    while (i > 0 && isSpace(this.chars[i - 1]!)) i--;
    while (i > 0 && !isSpace(this.chars[i - 1]!)) i--;
    return i;
  }

  private wordRight(): number {
    let i = this.cursor;
    const n = this.chars.length;
    while (i < n && isSpace(this.chars[i]!)) i++;
    while (i < n && !isSpace(this.chars[i]!)) i++;
    return i;
  }

  private historyStep(dir: -1 | 1): void {
    const next = this.historyIndex + dir;
    if (next < 0 || next > this.history.length) return;
    if (this.historyIndex === this.history.length) this.draft = this.chars.slice();
    this.historyIndex = next;
    this.chars = next === this.history.length ? this.draft.slice() : this.fit(this.history[next]!);
    this.cursor = this.chars.length;
  }

  /** A default or history entry, cut to maxLength, without zero-width characters. */
  private fit(text: string): string[] {
    return [...text].filter((c) => charWidth(c) > 0).slice(0, this.maxLength);
  }

  private cellAt(i: number): Cell {
    if (this.maskCell) return this.maskCell;
    const text = this.chars[i] ?? ' ';
    return { text, width: charWidth(text) || 1 };
  }

  /** Columns the cursor needs at index i: the character under it, or one past the end. */
  private cursorWidth(i: number): number {
    return i < this.chars.length ? this.cellAt(i).width : 1;
  }

  private columnsBetween(from: number, to: number): number {
    let cols = 0;
    for (let i = from; i < to; i++) cols += this.cellAt(i).width;
    return cols;
  }

  private fixScroll(): void {
    const w = this.width;
    if (this.columnsBetween(0, this.chars.length) + 1 <= w) {
      this.scroll = 0;
      return;
    }
    if (this.cursor >= this.scroll && this.columnsBetween(this.scroll, this.cursor) + this.cursorWidth(this.cursor) <= w) return;
    const budget = Math.max(this.cursorWidth(this.cursor), w - Math.floor(w / 3));
    let s = this.cursor;
    let cols = this.cursorWidth(this.cursor);
    while (s > 0 && cols + this.cellAt(s - 1).width <= budget) cols += this.cellAt(--s).width;
    this.scroll = s;
  }

  private layout(): { cells: Cell[]; cursorCol: number } {
    if (this.maskCell === null) return { cells: [], cursorCol: 0 };
    this.fixScroll();
    const cells: Cell[] = [];
    let col = 0;
    let cursorCol = -1;
    for (let i = this.scroll; i < this.chars.length; i++) {
      if (i === this.cursor) cursorCol = col;
      const cell = this.cellAt(i);
      if (col + cell.width > this.width) break;
      cells.push(cell);
      col += cell.width;
    }
    return { cells, cursorCol: cursorCol === -1 ? col : cursorCol };
  }

  /** The shortest redraw from what is on screen to what should be: rewrite from the first difference. */
  private render(): string {
    const { cells, cursorCol } = this.layout();
    const old = this.shown;
    let p = 0;
    while (p < cells.length && p < old.length && cells[p]!.text === old[p]!.text) p++;
    let out = '';
    let at = this.shownCursor;
    if (p < cells.length || p < old.length) {
      const from = widthOf(cells, p);
      out += move(at, from, cells);
      for (let k = p; k < cells.length; k++) out += cells[k]!.text;
      const newEnd = widthOf(cells, cells.length);
      const oldEnd = widthOf(old, old.length);
      at = newEnd;
      if (oldEnd > newEnd) {
        out += ' '.repeat(oldEnd - newEnd);
        at = oldEnd;
      }
    }
    out += move(at, cursorCol, cells);
    this.shown = cells;
    this.shownCursor = cursorCol;
    return out;
  }
}

/** Columns the field draws in: never the screen's last, where ANSI-BBS terminals wrap at once. */
function fieldWidth(cols: number): number {
  return Math.max(1, Math.floor(cols) - 1);
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t';
}

function widthOf(cells: readonly Cell[], count: number): number {
  let w = 0;
  for (let i = 0; i < count; i++) w += cells[i]!.width;
  return w;
}

/**
 * Cursor from column `from` to `to` within the field. Left is BS (non-destructive on
 * every terminal); right rewrites the characters already there, which works on dumb
 * terminals too; long moves use CSI n D / CSI n C.
 */
function move(from: number, to: number, cells: readonly Cell[]): string {
  if (to === from) return '';
  const n = Math.abs(to - from);
  if (to < from) return n <= MAX_STEP_MOVE ? '\b'.repeat(n) : `\x1b[${n}D`;
  if (n <= MAX_STEP_MOVE) {
    let col = 0;
    let out = '';
    for (const cell of cells) {
      if (col >= to) break;
      if (col >= from) out += cell.text;
      col += cell.width;
    }
    if (col === to && startsAt(cells, from)) return out;
  }
  return `\x1b[${n}C`;
}

function startsAt(cells: readonly Cell[], col: number): boolean {
  let c = 0;
  for (const cell of cells) {
    if (c === col) return true;
    if (c > col) return false;
    c += cell.width;
  }
  return c === col;
}
