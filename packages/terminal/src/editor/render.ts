import { plural } from '@carrier/core';
import { charWidth } from '../text-width.js';
import { displayWidth, type EditorMode, type MessageEditor } from './editor.js';

/**
 * Draws a MessageEditor on an ANSI screen: a title row, the text rows, and a status row
 * (which also asks `Abort message? (y/N)`). It remembers the last frame it sent and
 * writes only the rows that changed, so a keystroke costs one row (or none) plus a
 * cursor move; `invalidate()` (after a resize) makes the next draw a whole screen.
 */
export interface EditorScreenOptions {
  /** The title row's text, e.g. `Subject: hello`; clean text only. */
  title: string;
}

const CSI = '\x1b[';
const TITLE_SGR = `${CSI}0;1;37;44m`;
const TEXT_SGR = `${CSI}0;37m`;
const STATUS_SGR = `${CSI}0;30;47m`;
const QUOTE_SGR = `${CSI}0;36m`;
const QUOTE_PICK_SGR = `${CSI}0;1;37;46m`;
const ASK_SGR = `${CSI}0;1;33m`;
const NOTICE_SGR = `${CSI}0;1;33;44m`;
export const ABORT_PROMPT = 'Abort message? (y/N)';
/** Ctrl-Z on a message with nothing in it (plain ASCII: a CP437 caller has no dash). */
export const EMPTY_PROMPT = 'Nothing to send: (A)bort or (C)ontinue?';
/**
 * The status row's key help, most needed first: a narrow screen shows the items that fit
 * whole. Saving and the help screen (which has every key) come first; where even those two
 * do not fit after the counts (40 columns), the row shortens to its line count and the
 * `^Z` forms, so a caller on a narrow terminal still sees how to save and where help is.
 */
export const EDITOR_HELP_ITEMS = ['Ctrl-Z save', 'Ctrl-K help', 'Esc abort', 'Ctrl-O quote', 'Ctrl-Y del line'] as const;
export const EDITOR_HELP_SHORT = ['^Z save', '^K help', 'Esc abort', '^O quote', '^Y del line'] as const;
export const EDITOR_HELP = EDITOR_HELP_ITEMS.join('  ');

/** Cut `text` to `cols` display columns. */
export function fitWidth(text: string, cols: number): string {
  let w = 0;
  let out = '';
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > cols) break;
    w += cw;
    out += ch;
  }
  return out;
}

export class EditorScreen {
  private prev: string[] = [];
  private cols = 0;
  private rows = 0;
  private noticeText: string | undefined;

  constructor(
    private readonly editor: MessageEditor,
    private readonly opts: EditorScreenOptions,
  ) {}

  /** The next draw repaints everything (the screen was cleared or resized). */
  invalidate(): void {
    this.prev = [];
  }

  /**
   * Show `text` (clean, one line) on the status row instead of the counts and keys, until
   * it is set again or cleared with undefined: a broadcast or the sysop's message reaches
   * a caller who is writing. A question (Abort?) and the help screen's row still win.
   */
  setNotice(text: string | undefined): void {
    this.noticeText = text;
  }

  /** Text rows for a screen of `rows` rows: all but the title and status rows. */
  static textRows(rows: number): number {
    return Math.max(1, rows - 2);
  }

  /** The bytes that bring the screen from the last frame to the editor's state now. */
  draw(cols: number, rows: number): string {
    // Bounded whatever the terminal claims: the redraw of a whole screen stays small.
    const width = Math.max(2, Math.min(cols, 256));
    const height = Math.max(3, Math.min(rows, 102));
    if (width !== this.cols || height !== this.rows) {
      this.cols = width;
      this.rows = height;
      this.prev = [];
    }
    const frame = this.frame(width, height);
    let out = '';
    if (this.prev.length === 0) out += `${CSI}0m${CSI}2J`;
    for (let i = 0; i < frame.length; i++) {
      if (this.prev[i] === frame[i]) continue;
      out += `${CSI}${i + 1};1H${frame[i]}${CSI}K`;
    }
    this.prev = frame;
    out += this.cursor(height);
    return out;
  }

  /**
   * The last frame sent, whole, from a blank screen (a sysop's spy starts): the caller's
   * screen as it is, without changing what the next draw sends. Undefined before the first draw.
   */
  whole(): string | undefined {
    if (this.prev.length === 0) return undefined;
    return `${CSI}0m${CSI}2J${this.prev.map((row, i) => `${CSI}${i + 1};1H${row}${CSI}K`).join('')}${this.cursor(this.rows)}`;
  }

  private frame(cols: number, rows: number): string[] {
    const e = this.editor;
    const inner = cols - 1;
    const textRows = rows - 2;
    const frame: string[] = [];
    const title = fitWidth(` ${this.opts.title}`, inner);
    frame.push(`${TITLE_SGR}${title}${' '.repeat(Math.max(0, inner - displayWidth(title)))}${TEXT_SGR}`);
    if (e.mode === 'help') {
      const { rows: help, top, more } = e.help;
      for (let r = 0; r < textRows; r++) {
        const row = help[top + r];
        frame.push(row !== undefined ? `${TEXT_SGR}${fitWidth(row, inner)}` : TEXT_SGR);
      }
      frame.push(`${STATUS_SGR}${fitWidth(helpStatus(more, inner), inner)}${TEXT_SGR}`);
      return frame;
    }
    const quoteOpen = e.mode === 'quote';
    const quoteRows = quoteOpen ? Math.min(e.quoteRows, textRows - 2) : 0;
    const shown = textRows - (quoteOpen ? quoteRows + 1 : 0);
    for (let r = 0; r < shown; r++) {
      const i = e.top + r;
      frame.push(i < e.lineCount ? `${TEXT_SGR}${fitWidth(e.line(i), inner)}` : TEXT_SGR);
    }
    if (quoteOpen) {
      frame.push(`${STATUS_SGR}${fitWidth(' Quote: Up/Down pick, Enter inserts, Esc closes ', inner)}${TEXT_SGR}`);
      const q = e.quote;
      for (let r = 0; r < quoteRows; r++) {
        const i = q.top + r;
        const text = q.lines[i];
        if (text === undefined) frame.push(TEXT_SGR);
        else frame.push(`${i === q.at ? QUOTE_PICK_SGR : QUOTE_SGR}${fitWidth(text, inner)}${TEXT_SGR}`);
      }
    }
    const ask = question(e.mode);
    if (ask !== undefined) {
      frame.push(`${ASK_SGR}${fitWidth(`${ask} `, inner)}${TEXT_SGR}`);
    } else if (this.noticeText !== undefined) {
      const notice = fitWidth(` ${this.noticeText}`, inner);
      frame.push(`${NOTICE_SGR}${notice}${' '.repeat(Math.max(0, inner - displayWidth(notice)))}${TEXT_SGR}`);
    } else {
      const mode = e.insert ? 'INS' : 'OVR';
      const lines = `${e.cursor.row + 1}/${e.lineCount}`;
      const full = withItems(` ${mode}  line ${lines}  ${plural(e.byteCount, 'byte')}`, EDITOR_HELP_ITEMS, inner);
      const status = full.items >= 2 ? full.text : withItems(` ${mode} ${lines}`, EDITOR_HELP_SHORT, inner).text;
      frame.push(`${STATUS_SGR}${fitWidth(status, inner)}${TEXT_SGR}`);
    }
    return frame;
  }

  private cursor(rows: number): string {
    const e = this.editor;
    const ask = question(e.mode);
    // After the question, or at the last column it may use when the screen is narrower than the question.
    if (ask !== undefined) return `${CSI}${rows};${Math.min(displayWidth(ask) + 2, this.cols - 1)}H`;
    if (e.mode === 'help') return `${CSI}${rows};${Math.min(displayWidth(helpStatus(e.help.more, this.cols - 1)) + 1, this.cols - 1)}H`;
    if (e.mode === 'quote') {
      const q = e.quote;
      const textRows = rows - 2;
      const quoteRows = Math.min(e.quoteRows, textRows - 2);
      const r = rows - 1 - quoteRows + (q.at - q.top);
      return `${CSI}${r};1H`;
    }
    const row = 2 + (e.cursor.row - e.top);
    const col = Math.min(e.cursorColumn, this.cols - 2) + 1;
    return `${CSI}${row};${col}H`;
  }
}

/** `status` and as many of `items` as fit whole in `cols`, most needed first. */
function withItems(status: string, items: readonly string[], cols: number): { text: string; items: number } {
  let text = status;
  let n = 0;
  for (const item of items) {
    if (displayWidth(`${text}  ${item}`) > cols) break;
    text += `  ${item}`;
    n++;
  }
  return { text, items: n };
}

/** The help screen's status row, in its short form where the long one does not fit `cols`. */
function helpStatus(more: boolean, cols: number): string {
  const long = more ? ' Keys: any key for more, Esc back' : ' Keys: any key goes back';
  if (displayWidth(long) <= cols) return long;
  return more ? ' Any key: more' : ' Any key: back';
}

/** The question the status row asks in `mode`, if it asks one. */
function question(mode: EditorMode): string | undefined {
  return mode === 'confirm-abort' ? ABORT_PROMPT : mode === 'confirm-empty' ? EMPTY_PROMPT : undefined;
}
