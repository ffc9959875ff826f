import { plural } from '@carrier/core';
import type { Key } from '../keys.js';
import { charWidth } from '../text-width.js';
import { helpRows } from './help.js';

/**
 * The full-screen message editor as a pure state machine: keys in, an outcome out. It
 * knows nothing of sockets or screens; `EditorScreen` (render.ts) draws its state and
 * the engine's glue feeds it keys. Lines are stored as the caller sees them (hard
 * wrapped at `width`), one string each, with the cursor as a code-point index. A line
 * the wrap broke (not Enter) continues its paragraph on the next line: typing into it
 * pushes the overflowing word onto that line, as a word processor reflows.
 *
 * Keys (as KeyDecoder names them, whatever the terminal sent): arrows, Home/End,
 * PgUp/PgDn, Insert (insert/overwrite), Backspace/Delete (joining lines at the ends),
 * Enter, Tab (in overwrite mode it moves to the stop), Ctrl-Y (delete line), Ctrl-O or
 * Ctrl-Q (quote window: QUOTE_KEYS says why two), F1 or Ctrl-K (the keys, paged in the
 * text area), Ctrl-Z (save; on a message with nothing in it, asks `Nothing to send:
 * (A)bort or (C)ontinue?`), Esc (asks `Abort message? (y/N)`). A resize wraps the
 * paragraphs again to the new width, a quoted one (`JD> text`) into rows that each keep
 * its marks, and an edit in a quoted paragraph keeps it so (its overflow goes onto a row
 * with the marks; words that fit above go back up without them; Backspace right after a
 * row's carried marks takes the row's break, as at the start of any wrapped row).
 */

export interface EditorOptions {
  /** Columns of text; a line never reaches the last column (no terminal autowrap). */
  width: number;
  /** Rows of text visible at once. */
  height: number;
  /** Body bound in UTF-8 bytes (default 64 KiB). */
  maxBytes?: number;
  /** Body bound in lines (default 2000). */
  maxLines?: number;
  /** Text to start from (a draft); controls are dropped. */
  initial?: string;
  /** Lines the quote window offers (already prefixed, e.g. `JD> `). */
  quote?: readonly string[];
}

export type EditorMode = 'edit' | 'confirm-abort' | 'confirm-empty' | 'quote' | 'help';

/**
 * The keys that open (and close) the quote window. Ctrl-Q is the BBS editors' own, but
 * netkit rlogin keeps Ctrl-S/Ctrl-Q as its local flow control (only the server's urgent
 * byte, which Node cannot send, would turn that off), so Ctrl-Q never reaches the board
 * from it; Ctrl-O passes every client carrier serves (telnet, ssh, rlogin, the browser),
 * and is the one the status row shows.
 */
const QUOTE_KEYS: ReadonlySet<string> = new Set(['o', 'q']);
const isQuoteKey = (key: Key): boolean => key.name === 'char' && key.ctrl === true && QUOTE_KEYS.has(key.ch ?? '');

/** What a key did: keep editing, or the caller is finished. */
export type EditorOutcome = { kind: 'continue'; bell?: boolean } | { kind: 'save'; text: string } | { kind: 'abort' };

export const EDITOR_DEFAULTS = { maxBytes: 64 * 1024, maxLines: 2000 } as const;
/** The editor refuses sizes beyond these: a NAWS of 65535 columns must not cost a huge redraw. */
export const EDITOR_MAX_WIDTH = 255;
export const EDITOR_MAX_HEIGHT = 100;
const TAB_STOP = 4;
/** Reflow follows an edit down at least this many lines (a 25-row screen's text area and more). */
const REFLOW_LINES_MIN = 24;

/** Anything that is not a printable character never enters the buffer. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}
/** Columns of the first `end` characters of a line (no string is built: this runs for every key). */
function widthOf(chars: readonly string[], end = chars.length): number {
  let w = 0;
  for (let i = 0; i < end; i++) w += charWidth(chars[i]!);
  return w;
}
/**
 * The end of a row a resize broke out of a quoted line (`JD> text`): the next row goes on
 * with the same marks, and a wider window joins them again (rewrap()). QUOTED: broken at a
 * space, which the re-wrap took out (no unseen space ends the row, where End and typing
 * would have glued the words either side together), and a wider window puts back;
 * QUOTED_CUT: inside a word longer than a row. Keys treat either as the end of a line, as
 * Enter's: the marks are the caller's text to edit like any other, and a row whose marks
 * they deleted is quoted no longer. After each edit, the rows of its quoted paragraph near
 * it are broken again the same way (requote()).
 */
const QUOTED = 'quoted';
const QUOTED_CUT = 'quoted-cut';
type LineEnd = boolean | typeof QUOTED | typeof QUOTED_CUT;
/** A line of a paragraph (paragraphAt): its index, the marks carried onto it (`cut`), whether a QUOTED end took a space out before it. */
type ParagraphRow = { at: number; cut: number; space: boolean };
const isQuoted = (end: LineEnd | undefined): end is typeof QUOTED | typeof QUOTED_CUT => end === QUOTED || end === QUOTED_CUT;

/** Where the rows of `chars` from `from` on start when broken at `limit` columns (breakPoint): the first is `from`. */
function rowStarts(chars: readonly string[], limit: number, from = 0): number[] {
  const starts = [from];
  for (let end = breakPoint(chars, from, limit); end >= 0; end = breakPoint(chars, end, limit)) starts.push(end);
  return starts;
}

/**
 * A quoted paragraph's rows within `limit` columns: `lead` (its quote marks) before each
 * part of `body`, the space a row broke at taken off (its end says so), and where each part
 * starts in `body`. Undefined for no marks, marks that leave no room for a wide character,
 * or a first row (of the paragraph: `first`) whose marks read as more than `lead` (a row cut
 * right after a `>` of the text): a wider window would not know those rows for one paragraph.
 * With `shorten` (an edit inside the paragraph), such a first row breaks at the last space
 * where it reads as `lead`, or holds the marks alone: the rows the paragraph has carry
 * `lead`, and the text typed stays in them (a plain wrap would leave the rows after the
 * first without marks, and leaving the rows as the edit made them left words that fit unpulled).
 */
function quotedRows(lead: readonly string[], body: readonly string[], limit: number, first = true, shorten = false): { rows: string[][]; ends: LineEnd[]; starts: number[] } | undefined {
  const room = limit - widthOf(lead);
  if (lead.length === 0 || room < 2) return undefined;
  let starts = rowStarts(body, room);
  if (first && shorten && starts.length > 1) {
    const marks = lead.join('');
    // (the first row up to `end`, without the space it breaks at)
    const readsAsLead = (end: number): boolean => quoteMarks([...lead, ...body.slice(0, end > 0 && body[end - 1] === ' ' ? end - 1 : end)].join('')).marks === marks;
    let end = starts[1]!;
    if (!readsAsLead(end)) {
      do end--;
      while (end > 0 && !(body[end - 1] === ' ' && readsAsLead(end)));
      starts = [0, ...rowStarts(body, room, end)];
    }
  }
  const rows: string[][] = [];
  const ends: LineEnd[] = [];
  starts.forEach((from, j) => {
    const to = starts[j + 1];
    const part = body.slice(from, to ?? body.length);
    const spaced = to !== undefined && part[part.length - 1] === ' ';
    if (spaced) part.pop();
    rows.push([...lead, ...part]);
    ends.push(to === undefined ? false : spaced ? QUOTED : QUOTED_CUT);
  });
  return !first || quoteMarks(rows[0]!.join('')).marks === lead.join('') ? { rows, ends, starts } : undefined;
}

const startsWith = (line: readonly string[], lead: readonly string[]): boolean => lead.every((ch, i) => line[i] === ch);

const clampSize = (n: number, max: number): number => (Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 1), max) : 1);

/**
 * Where a line of `chars` from `from` on breaks to fit `limit` columns, or -1 when the rest
 * fits: after its last space that fits (a space that overflows stays, unseen, at the end of
 * its line: the word after it starts the next), or at the edge for a word longer than a line.
 */
function breakPoint(chars: readonly string[], from: number, limit: number): number {
  let w = 0;
  let cut = -1;
  for (let i = from; i < chars.length; i++) {
    w += charWidth(chars[i]!);
    if (w > limit) {
      cut = i;
      break;
    }
  }
  if (cut < 0) return -1;
  if (chars[cut] === ' ') return cut + 1;
  for (let i = cut; i > from; i--) if (chars[i - 1] === ' ') return i;
  return Math.max(from + 1, cut);
}

export class MessageEditor {
  /** Lines, as code-point arrays (so the cursor index is a character, not a UTF-16 unit). */
  private lines: string[][] = [[]];
  /**
   * How line i ends: true, the wrap broke it, so its paragraph goes on at line i + 1; false,
   * Enter ended its paragraph; QUOTED, the re-wrap broke a quoted line (see rewrap()).
   */
  private soft: LineEnd[] = [false];
  private row = 0;
  private col = 0;
  /** The first line shown. */
  private topLine = 0;
  private insertMode = true;
  private modeNow: EditorMode = 'edit';
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxLines: number;
  private widthNow: number;
  private heightNow: number;
  private readonly quoteLines: readonly string[];
  private quoteAt = 0;
  private quoteTop = 0;
  /** The first help row shown (the help is paged when the text area is shorter). */
  private helpTop = 0;
  /**
   * While a paste is being typed in (`pasted` keys): the characters before the cursor in its
   * paragraph that the paste did not type (dropPaste keeps them).
   */
  private pasteKeep: number | undefined;
  /** While a typed key is tried: how to put back what it changed, newest last (see insertChar). */
  private undoLog: Array<() => void> | undefined;
  private readonly touched = new Set<string[]>();
  /** Bumped by every change the screen must show; a renderer compares it. */
  private revision = 0;

  constructor(opts: EditorOptions) {
    this.widthNow = clampSize(opts.width, EDITOR_MAX_WIDTH);
    this.heightNow = clampSize(opts.height, EDITOR_MAX_HEIGHT);
    this.maxBytes = opts.maxBytes ?? EDITOR_DEFAULTS.maxBytes;
    this.maxLines = opts.maxLines ?? EDITOR_DEFAULTS.maxLines;
    this.quoteLines = (opts.quote ?? []).map((l) => l.replace(UNPRINTABLE, ''));
    // A draft or a reply's quote: the cursor ends after it, ready to type.
    if (opts.initial) this.insertText(opts.initial);
  }

  /**
   * The paste being typed in was stopped (Ctrl-C): what it typed in the cursor's paragraph
   * goes, back to where the paste began in it (or to the paragraph's start, the last Enter,
   * when it began in an earlier one), and what the caller typed there by hand before it
   * stays. The lines the paste finished stay too. Nothing changes when no paste is being
   * typed (the last key was typed by hand).
   */
  dropPaste(): void {
    const keep = this.pasteKeep;
    this.pasteKeep = undefined;
    if (this.modeNow !== 'edit' || keep === undefined) return;
    let drop = this.paragraphOffset() - keep;
    // Each round takes a character (or a quoted row's break): the text's size bounds it.
    for (let left = this.bytes + this.lines.length; drop > 0 && left > 0; left--) {
      if (this.col === 0 && (this.row === 0 || !this.wrapped(this.row - 1))) break;
      const bytes = this.bytes;
      if (!this.backspace()) break;
      if (this.bytes < bytes) drop--;
    }
    this.revision++;
  }

  /** Characters of the cursor's paragraph before the cursor (its rows joined: joinRows). */
  private paragraphOffset(): number {
    return Math.max(0, this.joinRows(this.paragraphOf(this.row, this.row).rows).cursorAt ?? 0);
  }

  // ---- reading the state (for renderers and tests) ----------------------------------

  get mode(): EditorMode {
    return this.modeNow;
  }
  get insert(): boolean {
    return this.insertMode;
  }
  get cursor(): { row: number; col: number } {
    return { row: this.row, col: this.col };
  }
  /** Display column of the cursor on its line. */
  get cursorColumn(): number {
    return displayWidth(this.lines[this.row]!.slice(0, this.col).join(''));
  }
  get top(): number {
    return this.topLine;
  }
  get width(): number {
    return this.widthNow;
  }
  get height(): number {
    return this.heightNow;
  }
  get lineCount(): number {
    return this.lines.length;
  }
  get byteCount(): number {
    return this.bytes + this.lines.length - 1;
  }
  get version(): number {
    return this.revision;
  }
  line(i: number): string {
    return this.lines[i]?.join('') ?? '';
  }
  /** Line `i` was broken by the wrap: its paragraph goes on at the next line. */
  wrapped(i: number): boolean {
    return this.soft[i] === true && i < this.lines.length - 1;
  }
  /**
   * Where line `r`'s text ends for the cursor. The space a wrapped line was broken at stays
   * (unseen) at its end as the paragraph's break between the two lines, which is no place
   * to type: text typed after it is the start of the next line's first word, so End there
   * glued ` ZZ` onto that word (`ZZpppp`) when the line grew and ZZ moved down.
   */
  private textEnd(r: number): number {
    const line = this.lines[r]!;
    return this.wrapped(r) && line[line.length - 1] === ' ' ? line.length - 1 : line.length;
  }
  /** The body as it would be saved: lines joined by LF, trailing spaces and blank lines trimmed. */
  text(): string {
    return this.lines
      .map((l) => l.join('').replace(/\s+$/, ''))
      .join('\n')
      .replace(/\n+$/, '');
  }
  /**
   * The help page shown: its rows (every key, its words wrapped to the width: helpRows) from
   * `top` on, and whether more follow.
   */
  get help(): { rows: readonly string[]; top: number; more: boolean } {
    const rows = helpRows(this.widthNow - 1);
    return { rows, top: this.helpTop, more: this.helpTop + this.heightNow < rows.length };
  }
  get quote(): { lines: readonly string[]; at: number; top: number } {
    return { lines: this.quoteLines, at: this.quoteAt, top: this.quoteTop };
  }
  /** How many lines below an edit reflow follows (a screen's worth): the bound on a key's work. */
  private get reflowLines(): number {
    return Math.max(this.heightNow, REFLOW_LINES_MIN);
  }
  /** Rows of the text area the quote window takes while open. */
  get quoteRows(): number {
    return Math.max(1, Math.min(this.quoteLines.length, Math.floor(this.heightNow / 2)));
  }

  // ---- input ------------------------------------------------------------------------

  /**
   * The window changed size: every paragraph is wrapped again to the new width, as at the
   * start (lines Enter ended stay ended; the cursor stays on its character; a quoted line's
   * rows each start with its marks, and are one line again when it is wide enough), and the cursor
   * kept on screen. The re-wrap is made even where it needs more lines than the cap: the
   * text is the caller's already, and a re-wrap left unmade left its lines cut off at the
   * screen's edge. The cap bounds what an edit adds (within()), and the byte bound bounds
   * the lines a re-wrap can make (at most a character each).
   */
  resize(width: number, height: number): void {
    const w = clampSize(width, EDITOR_MAX_WIDTH);
    this.heightNow = clampSize(height, EDITOR_MAX_HEIGHT);
    if (w !== this.widthNow) this.rewrap(w);
    this.quoteTop = Math.min(this.quoteTop, this.quoteAt);
    if (this.quoteAt >= this.quoteTop + this.quoteRows) this.quoteTop = this.quoteAt - this.quoteRows + 1;
    this.helpTop = 0;
    this.scrollToCursor();
    this.revision++;
  }

  /**
   * Every paragraph broken again at `width`, in one pass over the text. A quoted paragraph
   * (its first line starts with quote marks, `JD> `: quoteMarks(), the rule a reply's quote
   * is built by) is broken into rows that each start with those marks, and a wider window
   * joins them again (their marks dropped): the saved message has no quoted text without
   * them. Where the marks leave no room for a character, or adding them would take the body
   * past its byte bound, the paragraph wraps as any other.
   */
  private rewrap(width: number): void {
    const limit = width - 1;
    const lines: string[][] = [];
    const soft: LineEnd[] = [];
    let row = 0;
    let col = 0;
    let bytes = this.bytes;
    for (let r = 0; r < this.lines.length; ) {
      const { lead, rows } = this.paragraphAt(r);
      const { body, cursorAt: at, bytes: change } = this.joinRows(rows);
      let cursorAt = at;
      bytes += change;
      r = rows[rows.length - 1]!.at + 1;
      let made = quotedRows(lead, body, limit);
      // (lines so far, this paragraph's and the ones still to come: the breaks' bytes)
      if (made && bytes + (made.rows.length - 1) * byteLength(lead.join('')) + lines.length + made.rows.length + this.lines.length - r - 1 > this.maxBytes) made = undefined;
      const quoted = made !== undefined;
      const chars = quoted ? body : [...lead, ...body];
      if (!quoted && cursorAt !== undefined) cursorAt += lead.length;
      const cuts = made?.starts ?? rowStarts(chars, limit);
      made ??= { rows: cuts.map((from, j) => chars.slice(from, cuts[j + 1] ?? chars.length)), ends: cuts.map((_, j): LineEnd => j < cuts.length - 1), starts: cuts };
      for (let j = 0; j < cuts.length; j++) {
        const from = cuts[j]!;
        if (cursorAt !== undefined && (cursorAt >= from || j === 0) && (j === cuts.length - 1 || cursorAt < cuts[j + 1]!)) {
          row = lines.length;
          // (a cursor on the space a quoted row broke at is at the end of that row)
          col = Math.min((quoted ? lead.length : 0) + cursorAt - from, made.rows[j]!.length);
        }
        lines.push(made.rows[j]!);
        soft.push(made.ends[j]!);
        if (quoted) bytes += (j > 0 ? byteLength(lead.join('')) : 0) - (made.ends[j] === QUOTED ? 1 : 0);
      }
    }
    this.lines = lines;
    this.soft = soft;
    this.row = row;
    this.col = col;
    this.bytes = bytes;
    this.widthNow = width;
  }

  /**
   * The paragraph from line `r` on: its lines (the marks each starts with, `cut`, carried
   * there by the re-wrap; the first row's are its own), as far as the wrap broke it, or a
   * QUOTED end goes on to a line that starts with the same marks (one whose marks the
   * caller deleted is quoted no longer, and starts a paragraph of its own). With `until`, no
   * further than line `until`.
   */
  private paragraphAt(r: number, until = Infinity): { lead: string[]; rows: ParagraphRow[] } {
    const lead = [...quoteMarks(this.lines[r]!.join('')).marks];
    const rows = [{ at: r, cut: lead.length, space: false }];
    for (let i = r; i < Math.min(this.lines.length - 1, until); i++) {
      const end = this.soft[i];
      if (end === true) rows.push({ at: i + 1, cut: 0, space: false });
      else if (isQuoted(end) && lead.length > 0 && startsWith(this.lines[i + 1]!, lead)) rows.push({ at: i + 1, cut: lead.length, space: end === QUOTED });
      else break;
    }
    return { lead, rows };
  }

  /** The paragraph (paragraphAt) line `r` is in, from its first line, and no further than line `until`. */
  private paragraphOf(r: number, until = Infinity): { lead: string[]; rows: ParagraphRow[] } {
    let start = r;
    while (start > 0 && this.soft[start - 1] !== false) start--;
    let para = this.paragraphAt(start, until);
    while (para.rows[para.rows.length - 1]!.at < r) para = this.paragraphAt(para.rows[para.rows.length - 1]!.at + 1, until);
    return para;
  }

  /** How many characters of quote marks the re-wrap carried onto line `r` (0 for a paragraph's first line, or any other). */
  private carriedAt(r: number): number {
    if (r === 0 || !isQuoted(this.soft[r - 1])) return 0;
    const { rows } = this.paragraphOf(r, r);
    return rows.length > 1 ? rows[rows.length - 1]!.cut : 0;
  }

  /**
   * The text of a paragraph's `rows` (paragraphAt) as one line: without the marks carried
   * onto them, the space a QUOTED end took out put back. Also where the cursor is in it, if
   * on one of them (on the first row's marks: before it, negative), and by how many bytes it
   * differs from the rows.
   */
  private joinRows(rows: readonly ParagraphRow[]): { body: string[]; cursorAt: number | undefined; bytes: number } {
    const body: string[] = [];
    let cursorAt: number | undefined;
    let bytes = 0;
    for (const [k, { at, cut, space }] of rows.entries()) {
      const line = this.lines[at]!;
      if (space) {
        body.push(' ');
        bytes++;
      }
      if (at === this.row) cursorAt = k === 0 && this.col < cut ? this.col - cut : body.length + Math.max(0, this.col - cut);
      if (k > 0) bytes -= byteLength(line.slice(0, cut).join(''));
      for (let i = cut; i < line.length; i++) body.push(line[i]!);
    }
    return { body, cursorAt, bytes };
  }

  /**
   * After an edit from line `edited` on, a quoted paragraph stays quoted as the resize left
   * it (rewrap()): its rows from the one above the edited line, as far as the reflow follows
   * (a screen's worth), are broken again as a resize breaks them (quotedRows), so the
   * overflow of a row goes onto a row that starts with the paragraph's marks, and words that
   * fit on the row above now go back up without the marks they carried. The cursor stays
   * on its character. Left as the edit made it (wrapped as any paragraph) where the resize
   * would leave it so too (no room, the byte bound), or where the window ends at a break
   * the plain wrap made (the rows past it have no marks to keep). The cost: a walk back
   * over the line ends to the paragraph's first line, and one pass over at most a screen's
   * worth of its rows.
   */
  private requote(edited: number): void {
    // The edit's line may be gone (Enter's pullUp can take the last line into the one above).
    edited = Math.min(edited, this.lines.length - 1);
    const { lead, rows } = this.paragraphOf(edited, edited + this.reflowLines);
    if (lead.length === 0) return;
    // (from a row that starts with the marks: the paragraph's first, or one a QUOTED end goes on to)
    let first = Math.max(0, rows.findIndex((x) => x.at === edited) - 1);
    // (a word cut at the edge starts rows above: once it is shorter, or a space split it, it may fit above its first)
    while (first > 0 && this.soft[rows[first]!.at] === QUOTED_CUT && edited - rows[first]!.at < this.reflowLines) first--;
    while (first > 0 && rows[first]!.cut === 0 && edited - rows[first]!.at < this.reflowLines) first--;
    if (rows[first]!.cut === 0) return;
    const to = rows[rows.length - 1]!.at;
    const tail = this.soft[to]!;
    if (tail === true && to < this.lines.length - 1) return;
    const limit = this.widthNow - 1;
    // (the space before the window's first row is the row above's end, which stays)
    const joined = (k: number) => this.joinRows([{ ...rows[k]!, space: false }, ...rows.slice(k + 1)]);
    let { body, cursorAt } = joined(first);
    let made = quotedRows(lead, body, limit, first === 0, true);
    const cost = (laid: string[][], from: number): number => laid.reduce((n, l) => n + byteLength(l.join('')) + 1, 0) - this.lines.slice(from, to + 1).reduce((n, l) => n + byteLength(l.join('')) + 1, 0);
    if (made && this.byteCount + cost(made.rows, rows[first]!.at) > this.maxBytes) made = undefined;
    const quoted = made !== undefined;
    if (!made) {
      // As a resize would: the paragraph wraps as any other, its marks the text they are (from its first row, within the reflow's reach).
      if (first > 0 && edited - rows[0]!.at >= this.reflowLines) return;
      if (first > 0) ({ body, cursorAt } = joined((first = 0)));
      const chars = [...lead, ...body];
      if (cursorAt !== undefined) cursorAt += lead.length;
      const starts = rowStarts(chars, limit);
      made = { rows: starts.map((at, j) => chars.slice(at, starts[j + 1] ?? chars.length)), ends: starts.map((_, j): LineEnd => j < starts.length - 1), starts };
      // (nor where its first row would read as other marks then: `AB>` before ` x`)
      if (quoteMarks(made.rows[0]!.join('')).marks !== lead.join('')) return;
    }
    const from = rows[first]!.at;
    const laid = made;
    laid.ends[laid.ends.length - 1] = tail === true ? false : tail;
    const old = this.lines.slice(from, to + 1);
    const oldEnds = this.soft.slice(from, to + 1);
    if (old.length === laid.rows.length && old.every((l, i) => l.join('') === laid.rows[i]!.join('') && oldEnds[i] === laid.ends[i])) return;
    this.bytes += cost(laid.rows, from) - laid.rows.length + old.length;
    this.lines.splice(from, old.length, ...laid.rows);
    this.soft.splice(from, old.length, ...laid.ends);
    this.undoLog?.push(() => {
      this.lines.splice(from, laid.rows.length, ...old);
      this.soft.splice(from, laid.rows.length, ...oldEnds);
    });
    if (cursorAt !== undefined) {
      let j = 0;
      while (j < laid.starts.length - 1 && cursorAt >= laid.starts[j + 1]!) j++;
      this.row = from + j;
      // (a cursor on the space a row broke at is at the end of that row)
      this.col = Math.min((quoted ? lead.length : 0) + cursorAt - laid.starts[j]!, laid.rows[j]!.length);
    } else if (this.row > to) this.row += laid.rows.length - old.length;
  }

  /**
   * requote() after an edit on line `edited`, and of the paragraph after its own where that
   * one ends at a quoted row end (within the reflow's reach): an edit of the marks of a
   * paragraph's first row leaves the rows that carried them a paragraph of their own (their
   * marks are its text now, and may read as more than they were), to be laid out as one.
   */
  private requoteFrom(edited: number): void {
    this.requote(edited);
    const at = Math.min(edited, this.lines.length - 1);
    const until = at + this.reflowLines;
    const { rows } = this.paragraphOf(at, until);
    const last = rows[rows.length - 1]!.at;
    if (last < until && last < this.lines.length - 1 && isQuoted(this.soft[last])) this.requote(last + 1);
  }

  /**
   * Line `i` ends as a row the re-wrap broke out of a quoted paragraph: at a space it took
   * out (`space`), or inside a word (`cut`); the next line goes on with it while it starts
   * with the paragraph's marks (paragraphAt). Undefined for any other end.
   */
  quotedEnd(i: number): 'space' | 'cut' | undefined {
    const end = this.soft[i];
    return i >= this.lines.length - 1 ? undefined : end === QUOTED ? 'space' : end === QUOTED_CUT ? 'cut' : undefined;
  }

  /**
   * Each line as a wider window would join it to the line above: the quote marks the
   * re-wrap carried onto it from its quoted paragraph's first row (`marks`, 0 for any other
   * line), and what goes back between the two (`space`, the space a quoted row broke at).
   */
  carriedMarks(): Array<{ marks: number; space: boolean }> {
    const carried: Array<{ marks: number; space: boolean }> = [];
    for (let r = 0; r < this.lines.length; ) {
      const { rows } = this.paragraphAt(r);
      for (const [k, { at, cut, space }] of rows.entries()) {
        carried.push({ marks: k === 0 ? 0 : cut, space });
        r = at + 1;
      }
    }
    return carried;
  }

  feed(key: Key): EditorOutcome {
    if (key.name === 'cpr') return { kind: 'continue' };
    if (!key.pasted) this.pasteKeep = undefined;
    else this.pasteKeep ??= this.paragraphOffset();
    if (this.modeNow === 'confirm-abort') {
      this.modeNow = 'edit';
      this.revision++;
      if (key.name === 'char' && !key.ctrl && key.ch?.toLowerCase() === 'y') return { kind: 'abort' };
      return { kind: 'continue' };
    }
    if (this.modeNow === 'confirm-empty') {
      // A: drop it. Anything else (C, Esc, Enter, a stray key) goes back to the text: nothing is lost by a wrong key.
      this.modeNow = 'edit';
      this.revision++;
      if (key.name === 'char' && !key.ctrl && key.ch?.toLowerCase() === 'a') return { kind: 'abort' };
      return { kind: 'continue' };
    }
    if (this.modeNow === 'quote') return this.feedQuote(key);
    if (this.modeNow === 'help') {
      // Any key shows the next page, and after the last goes back to the text; Esc goes back at once.
      this.revision++;
      this.helpTop += this.heightNow;
      if (key.name === 'escape' || this.helpTop >= helpRows(this.widthNow - 1).length) {
        this.modeNow = 'edit';
        this.helpTop = 0;
      }
      return { kind: 'continue' };
    }
    if (isSaveKey(key)) {
      const text = this.save();
      if (text !== null) return { kind: 'save', text };
      // A bare bell left the caller guessing why Ctrl-Z did nothing: say so, and ask.
      this.modeNow = 'confirm-empty';
      this.revision++;
      return { kind: 'continue' };
    }
    const before = this.revision;
    const bell = !this.edit(key);
    if (this.revision === before) this.revision++;
    // A pasted Enter starts a paragraph of the paste's; a pasted Backspace may take what was there.
    // (A character typed only adds to the paragraph: no walk over it for each of a paste's.)
    if (this.pasteKeep !== undefined && (key.name !== 'char' || key.ctrl === true || key.alt === true)) this.pasteKeep = Math.min(this.pasteKeep, this.paragraphOffset());
    return { kind: 'continue', ...(bell ? { bell } : {}) };
  }

  /** Returns false when the key did nothing it could (a bell is due). */
  private edit(key: Key): boolean {
    if (key.name === 'cpr') return true;
    if (isQuoteKey(key)) {
      if (this.quoteLines.length === 0) return false;
      this.modeNow = 'quote';
      return true;
    }
    if (key.name === 'char' && key.ctrl) {
      switch (key.ch) {
        case 'y':
          return this.deleteLine();
        case 'k':
          return this.openHelp();
        case 'a':
          return this.move(() => (this.col = 0));
        case 'e':
          return this.move(() => (this.col = this.textEnd(this.row)));
        default:
          return false;
      }
    }
    switch (key.name) {
      case 'char':
        if (key.alt || key.ch === undefined) return false;
        return this.insertText(key.ch);
      case 'tab': {
        const target = (Math.floor(this.cursorColumn / TAB_STOP) + 1) * TAB_STOP;
        if (this.insertMode) return this.insertText(' '.repeat(target - this.cursorColumn));
        // Overwrite types over characters, not over a Tab: it moves to the stop along the text
        // (typing spaces over up to four characters lost a word), and pads past its end.
        const line = this.lines[this.row]!;
        const end = this.textEnd(this.row);
        let w = this.cursorColumn;
        while (this.col < end && w < target) w += charWidth(line[this.col++]!);
        this.scrollToCursor();
        if (w >= target) return true;
        // (inserted: once they wrap, the cursor is on the next line, whose text they must not type over)
        this.insertMode = true;
        try {
          return this.insertText(' '.repeat(target - w));
        } finally {
          this.insertMode = false;
        }
      }
      case 'enter':
        return this.newline();
      case 'backspace':
        return this.backspace();
      case 'delete':
        return this.deleteForward();
      case 'insert':
        this.insertMode = !this.insertMode;
        return true;
      case 'escape':
        this.modeNow = 'confirm-abort';
        return true;
      case 'f1':
        return this.openHelp();
      case 'left':
        if (this.col > 0) return this.move(() => this.col--);
        if (this.row > 0) return this.move(() => ((this.row -= 1), (this.col = this.textEnd(this.row))));
        return false;
      case 'right':
        if (this.col < this.textEnd(this.row)) return this.move(() => this.col++);
        if (this.row < this.lines.length - 1) return this.move(() => ((this.row += 1), (this.col = 0)));
        return false;
      case 'up':
        return this.row > 0 ? this.moveRows(-1) : false;
      case 'down':
        return this.row < this.lines.length - 1 ? this.moveRows(1) : false;
      case 'pageup':
        return this.row > 0 ? this.moveRows(-this.heightNow) : false;
      case 'pagedown':
        return this.row < this.lines.length - 1 ? this.moveRows(this.heightNow) : false;
      case 'home':
        return this.move(() => (this.col = 0));
      case 'end':
        return this.move(() => (this.col = this.textEnd(this.row)));
      default:
        return false;
    }
  }

  private feedQuote(key: Key): EditorOutcome {
    this.revision++;
    const n = this.quoteLines.length;
    const rows = this.quoteRows;
    switch (key.name) {
      case 'up':
        this.quoteAt = Math.max(0, this.quoteAt - 1);
        break;
      case 'down':
        this.quoteAt = Math.min(n - 1, this.quoteAt + 1);
        break;
      case 'pageup':
        this.quoteAt = Math.max(0, this.quoteAt - rows);
        break;
      case 'pagedown':
        this.quoteAt = Math.min(n - 1, this.quoteAt + rows);
        break;
      case 'home':
        this.quoteAt = 0;
        break;
      case 'end':
        this.quoteAt = n - 1;
        break;
      case 'enter': {
        // The quoted line goes in above the cursor's line; the pick moves to the next one.
        const ok = this.insertLineAbove(this.quoteLines[this.quoteAt] ?? '');
        if (!ok) return { kind: 'continue', bell: true };
        this.quoteAt = Math.min(n - 1, this.quoteAt + 1);
        break;
      }
      case 'escape':
        this.modeNow = 'edit';
        break;
      case 'char':
        if (isQuoteKey(key)) this.modeNow = 'edit';
        else if (!key.ctrl && key.ch === ' ') {
          const ok = this.insertLineAbove(this.quoteLines[this.quoteAt] ?? '');
          if (!ok) return { kind: 'continue', bell: true };
          this.quoteAt = Math.min(n - 1, this.quoteAt + 1);
        }
        break;
      default:
        break;
    }
    if (this.quoteAt < this.quoteTop) this.quoteTop = this.quoteAt;
    if (this.quoteAt >= this.quoteTop + rows) this.quoteTop = this.quoteAt - rows + 1;
    return { kind: 'continue' };
  }

  // ---- editing ----------------------------------------------------------------------

  /** Type text at the cursor (a paste may hold line breaks); false when nothing fit. */
  insertText(text: string): boolean {
    let any = false;
    for (const part of text.replace(/\r\n?/g, '\n').split(/(\n)/)) {
      if (part === '\n') {
        if (!this.newline()) return any;
        any = true;
        continue;
      }
      for (const ch of part.replace(UNPRINTABLE, '')) {
        if (!this.insertChar(ch)) return any;
        any = true;
      }
    }
    return any;
  }

  private insertChar(ch: string): boolean {
    const line = this.lines[this.row]!;
    // (a wrapped line's break is no character to type over: overwrite there types before it)
    const replacing = !this.insertMode && this.col < this.textEnd(this.row);
    const cost = byteLength(ch) - (replacing ? byteLength(line[this.col]!) : 0);
    if (this.byteCount + cost > this.maxBytes) return false;
    if (charWidth(ch) === 0 && this.col === 0) return false;
    const done = this.within(() => {
      const at = this.col;
      const old = line[at]!;
      if (replacing) line[at] = ch;
      else line.splice(at, 0, ch);
      this.undoLog?.push(replacing ? () => (line[at] = old) : () => line.splice(at, 1));
      this.bytes += cost;
      this.col++;
      const row = this.row;
      this.wrap(row);
      // The line above may take the start of this one now (a space split a word, a narrow
      // character overwrote a wide one, or the word typed at a wrapped line's start fits there).
      this.pullUp(row);
    });
    this.scrollToCursor();
    return done;
  }

  /**
   * Runs an edit that may wrap lines. Everything it changes is logged (the lines it
   * touches, the lines it adds or removes), so an edit whose text would pass the line
   * cap is undone whole and refused (a bell), rather than words being dropped off the end.
   * Past the cap (a narrower window re-wrapped the text onto more lines) an edit may not
   * add a line, and may still change or remove what is there.
   */
  private within(edit: () => void): boolean {
    const { row, col, bytes } = this;
    const cap = Math.max(this.maxLines, this.lines.length);
    const undo: Array<() => void> = [];
    this.undoLog = undo;
    this.touched.clear();
    try {
      edit();
      this.requoteFrom(Math.min(row, this.row));
    } finally {
      this.undoLog = undefined;
    }
    if (this.lines.length <= cap) return true;
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
    this.row = row;
    this.col = col;
    this.bytes = bytes;
    return false;
  }

  /**
   * A line wider than the text area breaks after its last space that fits (or at the
   * edge, for a word longer than the line); the rest goes to the start of the next line
   * when that line continues the same paragraph (which may overflow in turn), or onto a
   * new line below when the paragraph ended there. The cursor follows its character.
   * It may pass the line cap: callers run it inside within(), which undoes such an edit.
   */
  private wrap(row: number): void {
    const limit = this.widthNow - 1;
    let r = row;
    while (r < this.lines.length) {
      const line = this.lines[r]!;
      let breakAt = breakPoint(line, 0, limit);
      if (breakAt < 0) {
        // It fits, but a space typed into a word that was cut at the edge splits it: the part
        // after the space is the start of the word running on into the next line, and goes down to it.
        const space = this.runsOn(r) ? line.lastIndexOf(' ') : -1;
        if (space < 0 || r - row >= this.reflowLines) return;
        breakAt = space + 1;
      }
      // Within the reflow window only: past it the overflow gets a line of its own, still in
      // the paragraph, so a key at the top of a long paragraph costs a screenful, not all of it.
      const next = this.soft[r] === true && r - row < this.reflowLines ? this.lines[r + 1] : undefined;
      this.keep(line);
      if (next) {
        // Reflow: the overflow joins the rest of its paragraph on the next line.
        this.keep(next);
        const rest = line.splice(breakAt);
        next.unshift(...rest);
        if (this.row === r && this.col >= breakAt) {
          this.row = r + 1;
          this.col -= breakAt;
        } else if (this.row === r + 1) {
          this.col += rest.length;
        }
        r++;
        continue;
      }
      const rest = line.splice(breakAt);
      this.lines.splice(r + 1, 0, rest);
      // The new line ends the paragraph where this one did; this one now goes on into it.
      const was = this.soft[r] ?? false;
      this.soft.splice(r + 1, 0, was);
      this.soft[r] = true;
      const added = r;
      this.undoLog?.push(() => {
        this.lines.splice(added + 1, 1);
        this.soft.splice(added + 1, 1);
        this.soft[added] = was;
      });
      if (this.row === r && this.col >= breakAt) {
        this.row = r + 1;
        this.col -= breakAt;
      } else if (this.row > r) {
        this.row++;
      }
      r++;
    }
  }

  /** Line `r` ends inside a word that goes on at the start of the next line (it was cut at the edge). */
  private runsOn(r: number): boolean {
    const line = this.lines[r]!;
    const next = this.lines[r + 1];
    return this.soft[r] === true && next !== undefined && line.length > 0 && line[line.length - 1] !== ' ' && next.length > 0 && next[0] !== ' ';
  }

  /** Log `line`'s content before its first change while a key is tried. */
  private keep(line: string[]): void {
    if (!this.undoLog || this.touched.has(line)) return;
    this.touched.add(line);
    const copy = [...line];
    this.undoLog.push(() => line.splice(0, line.length, ...copy));
  }

  private newline(): boolean {
    const line = this.lines[this.row]!;
    // Enter at the end of a wrapped line's text makes its break a hard one (the break's space
    // goes) and adds no line: the next line, the rest of the paragraph, starts one of its own.
    // (An empty line put between them stayed where the next line's start could not come up
    // into it, as a run of spaces wider than a line: Backspace below then joined that empty
    // line, and the break the caller saw stayed.)
    const atBreak = this.wrapped(this.row) && this.col === this.textEnd(this.row);
    if (!atBreak && (this.lines.length >= this.maxLines || this.byteCount + 1 > this.maxBytes)) return false;
    if (atBreak && this.col < line.length) this.bytes -= byteLength(line.pop()!);
    if (!atBreak) {
      // Enter ends the paragraph here; what followed keeps going on as before.
      this.lines.splice(this.row + 1, 0, line.splice(this.col));
      this.soft.splice(this.row + 1, 0, this.soft[this.row] ?? false);
    }
    this.soft[this.row] = false;
    const left = this.row;
    this.row++;
    this.col = 0;
    // Enter split a paragraph: the rest (shorter than the line was) takes words from the lines
    // after it, and what ends the first part may now fit on the line above it.
    this.pullUp(this.row);
    this.pullUp(left);
    // (a quoted paragraph's row Enter split: what ends it may go up to the row above)
    this.within(() => this.requote(left));
    this.scrollToCursor();
    return true;
  }

  /**
   * A line picked from the quote window goes in above the cursor's line. A quoted line wider
   * than the window (the quote was built at the width the editor opened at) is broken into
   * rows that each keep its marks, as a resize breaks it (rewrap()).
   */
  private insertLineAbove(text: string): boolean {
    const chars = [...text];
    const lead = [...quoteMarks(text).marks];
    const body = chars.slice(lead.length);
    const { rows, ends } = quotedRows(lead, body, this.widthNow - 1) ?? { rows: [chars], ends: [false] };
    const added = rows.reduce((n, l) => n + byteLength(l.join('')), 0);
    if (this.lines.length + rows.length > this.maxLines || this.byteCount + added + rows.length > this.maxBytes) return false;
    const done = this.within(() => {
      const at = this.row;
      this.lines.splice(at, 0, ...rows);
      this.soft.splice(at, 0, ...ends);
      // A quote is a paragraph of its own: the line above no longer runs on into what follows it.
      const above = at > 0 ? this.soft[at - 1]! : false;
      if (at > 0) this.soft[at - 1] = false;
      this.undoLog?.push(() => {
        this.lines.splice(at, rows.length);
        this.soft.splice(at, rows.length);
        if (at > 0) this.soft[at - 1] = above;
      });
      this.bytes += added;
      this.row += rows.length;
      this.wrap(at + rows.length - 1);
    });
    this.scrollToCursor();
    this.revision++;
    return done;
  }

  /**
   * After a delete on line `edited`: words of the paragraph's next lines that fit now
   * come back up (from the line above it on, whose room may take the edited line's
   * first word), and a line left empty goes; the reverse of wrap(). Stops once a line
   * of the paragraph took nothing and is at or below the edited one.
   */
  private pullUp(edited: number): void {
    const limit = this.widthNow - 1;
    // From the line above the edited line's first word, which may fit there now; a word cut at
    // the edge starts lines above (once it is shorter, or a space ended it, it may fit above its first).
    let r = edited;
    while (r > 0 && edited - r < this.reflowLines && this.soft[r - 1] === true && this.lines[r - 1]!.length > 0 && this.lines[r - 1]!.at(-1) !== ' ') r--;
    if (r > 0 && this.soft[r - 1] === true) r--;
    let completing = false;
    let resume = 0;
    for (;;) {
      // A cut word that came back up whole may fit on the line above it now (and the lines
      // below it go on as they would have).
      if (completing && !this.runsOn(r) && r > 0 && this.soft[r - 1] === true) {
        completing = false;
        resume = r + 1;
        r--;
      }
      if (!(r < this.lines.length - 1 && this.soft[r] === true && r - edited < this.reflowLines)) return;
      // A word cut at the edge starts a line of its own: after a delete, its start may be
      // behind another word here (wrap() moves it down to the rest of it).
      // (only inside within(): moving it may need one more line, past the cap)
      if (this.undoLog && this.runsOn(r) && this.lines[r]!.includes(' ')) this.wrap(r);
      const line = this.lines[r]!;
      const next = this.lines[r + 1]!;
      let pulled = 0;
      for (;;) {
        let wordEnd = 0;
        // A word longer than a line was cut at the edge (the line ends in no space): the rest of
        // it comes back up a character at a time, as far as the line has room.
        const cutWord = this.runsOn(r);
        if (cutWord) wordEnd = 1;
        else {
          while (wordEnd < next.length && next[wordEnd] === ' ') wordEnd++;
          while (wordEnd < next.length && next[wordEnd] !== ' ') wordEnd++;
        }
        // (a word that runs on past the next line was cut at its edge: it is longer than a line and
        // starts a line of its own, unless this line is empty)
        if (!cutWord && line.length > 0 && wordEnd === next.length && this.runsOn(r + 1)) break;
        let end = wordEnd;
        if (!cutWord) while (end < next.length && next[end] === ' ') end++;
        if (end === 0 || widthOf(line) + widthOf(next, wordEnd) > limit) break;
        this.keep(line);
        this.keep(next);
        const had = line.length;
        line.push(...next.splice(0, end));
        if (this.row === r + 1) {
          if (this.col < end) {
            this.row = r;
            this.col += had;
          } else this.col -= end;
        }
        pulled += end;
        if (cutWord) completing = true;
      }
      if (next.length === 0) {
        // The paragraph's next line gave all it had: it goes, and this one ends where it did.
        this.lines.splice(r + 1, 1);
        const [goneSoft] = this.soft.splice(r + 1, 1);
        const was = this.soft[r]!;
        this.soft[r] = goneSoft!;
        const at = r;
        this.undoLog?.push(() => {
          this.lines.splice(at + 1, 0, next);
          this.soft.splice(at + 1, 0, goneSoft!);
          this.soft[at] = was;
        });
        if (this.row === r + 1) {
          this.row = r;
          this.col = line.length;
        } else if (this.row > r + 1) this.row--;
        continue;
      }
      if (pulled === 0 && r >= edited && r >= resume) return;
      r++;
    }
  }

  private backspace(): boolean {
    const line = this.lines[this.row]!;
    // Right after the marks a quoted row carries (the re-wrap's, not text the caller typed
    // there), the character before the cursor is the row's break, as at the start of a wrapped
    // row. (Deleting the marks' space left the row quoted no longer, a paragraph of its own.)
    if (this.col > 0 && this.col === this.carriedAt(this.row)) return this.takeQuotedBreak(this.row - 1, true);
    if (this.col > 0) {
      const done = this.within(() => {
        this.keep(line);
        const [gone] = line.splice(this.col - 1, 1);
        this.bytes -= byteLength(gone!);
        this.col--;
        this.pullUp(this.row);
      });
      this.scrollToCursor();
      return done;
    }
    if (this.row === 0) return false;
    const done = this.within(() => this.join(this.row - 1, true));
    this.scrollToCursor();
    return done;
  }

  /**
   * Backspace after the marks carried onto line `r + 1` (`backward`), or Delete at the end of
   * line `r`, whose quoted paragraph goes on there: the break between them goes, as a wrapped
   * line's does (the space the row broke at, taken out already; or, in a word cut at the edge,
   * the character on the key's side of the cut), and line `r + 1` joins line `r` without the
   * marks, which the reflow puts back where rows break.
   */
  private takeQuotedBreak(r: number, backward: boolean): boolean {
    const done = this.within(() => {
      const line = this.lines[r]!;
      const next = this.lines[r + 1]!;
      this.keep(next);
      this.bytes -= byteLength(next.splice(0, this.carriedAt(r + 1)).join(''));
      if (this.soft[r] === QUOTED_CUT) {
        const side = backward ? line : next;
        this.keep(side);
        const gone = backward ? side.pop() : side.shift();
        if (gone !== undefined) this.bytes -= byteLength(gone);
      }
      this.join(r, false);
    });
    this.scrollToCursor();
    return done;
  }

  /**
   * Line `r + 1` joins the end of line `r` and the result is wrapped again: Backspace at a
   * line's start (`backward`, the cursor goes to the join) or Delete at a line's end.
   */
  private join(r: number, backward: boolean): void {
    const line = this.lines[r]!;
    const next = this.lines[r + 1]!;
    this.keep(line);
    // At the start of a wrapped line the character before the cursor is the previous line's last (its space).
    if (backward && this.soft[r] === true && line.length > 0) this.bytes -= byteLength(line.pop()!);
    this.row = r;
    this.col = line.length;
    line.push(...next);
    this.lines.splice(r + 1, 1);
    const [gone] = this.soft.splice(r, 1);
    this.undoLog?.push(() => {
      this.lines.splice(r + 1, 0, next);
      this.soft.splice(r, 0, gone!);
    });
    this.wrap(r);
    this.pullUp(r);
  }

  private deleteForward(): boolean {
    const line = this.lines[this.row]!;
    if (this.col === line.length && this.row < this.lines.length - 1 && this.carriedAt(this.row + 1) > 0) return this.takeQuotedBreak(this.row, false);
    if (this.col < line.length && this.col === this.textEnd(this.row)) {
      // Delete at the end of a wrapped line's text takes its break: the next line joins on and
      // the words re-wrap (the two words either side are one now, and may not fit here).
      const done = this.within(() => {
        this.keep(line);
        this.bytes -= byteLength(line.pop()!);
        this.join(this.row, false);
      });
      this.scrollToCursor();
      return done;
    }
    if (this.col < line.length) {
      const done = this.within(() => {
        this.keep(line);
        const [gone] = line.splice(this.col, 1);
        this.bytes -= byteLength(gone!);
        this.pullUp(this.row);
      });
      this.scrollToCursor();
      return done;
    }
    if (this.row >= this.lines.length - 1) return false;
    const next = this.lines[this.row + 1]!;
    // At the end of a wrapped line the character after the cursor is the next line's first.
    if (this.soft[this.row] === true && next.length > 0) {
      const done = this.within(() => {
        this.keep(next);
        this.bytes -= byteLength(next.shift()!);
        this.pullUp(this.row + 1);
      });
      this.scrollToCursor();
      return done;
    }
    const done = this.within(() => this.join(this.row, false));
    this.scrollToCursor();
    return done;
  }

  private deleteLine(): boolean {
    const [gone] = this.lines.splice(this.row, 1);
    this.bytes -= byteLength(gone!.join(''));
    // The line above runs on only if the deleted one did.
    const [goneSoft] = this.soft.splice(this.row, 1);
    // (a quoted row's end stays one: Enter's, or the re-wrap's, which a wider window joins only to a row with the marks)
    if (this.row > 0) {
      const above = this.soft[this.row - 1]!;
      this.soft[this.row - 1] = above === false || goneSoft === false ? false : above === true ? goneSoft! : above;
    }
    // A word cut at the edge whose rest was on the deleted line ends where it is now: it is
    // not glued to the next line's first word.
    if (this.row > 0 && this.row < this.lines.length && this.runsOn(this.row - 1)) this.soft[this.row - 1] = false;
    if (this.lines.length === 0) {
      this.lines.push([]);
      this.soft.push(false);
    }
    if (this.row >= this.lines.length) this.row = this.lines.length - 1;
    this.col = Math.min(this.col, this.lines[this.row]!.length);
    // The line above may run on into the line that took the deleted one's place; and a word
    // that was cut at the edge into the deleted line is whole now, and may fit on the line
    // above its own (which no longer runs on into it, so the pull starts above it).
    this.pullUp(Math.max(0, this.row - 1));
    // (and a quoted paragraph's words flow back up: within() re-lays its rows, and undoes a
    // re-layout that would pass the cap)
    this.within(() => this.requote(Math.max(0, this.row - 1)));
    this.scrollToCursor();
    return true;
  }

  private openHelp(): true {
    this.modeNow = 'help';
    this.helpTop = 0;
    return true;
  }

  // ---- cursor -----------------------------------------------------------------------

  private move(step: () => unknown): true {
    step();
    this.scrollToCursor();
    return true;
  }

  /** Up/down keep the display column where they can. */
  private moveRows(delta: number): true {
    const column = this.cursorColumn;
    this.row = Math.min(Math.max(this.row + delta, 0), this.lines.length - 1);
    const line = this.lines[this.row]!;
    const end = this.textEnd(this.row);
    let w = 0;
    let i = 0;
    while (i < end && w + charWidth(line[i]!) <= column) w += charWidth(line[i++]!);
    this.col = i;
    this.scrollToCursor();
    return true;
  }

  private scrollToCursor(): void {
    // Past a wrapped line's break is the start of the next line: the caller sees the cursor there.
    if (this.col > this.textEnd(this.row)) {
      this.row++;
      this.col = 0;
    }
    if (this.row < this.topLine) this.topLine = this.row;
    if (this.row >= this.topLine + this.heightNow) this.topLine = this.row - this.heightNow + 1;
  }

  /** Ctrl-Z: the body to save, or null when there is nothing but white space. */
  save(): string | null {
    const text = this.text();
    return text.trim() === '' ? null : text;
  }
}

/** Ctrl-Z as any terminal sends it (0x1A). */
export function isSaveKey(key: Key): boolean {
  return key.name === 'char' && key.ctrl === true && key.ch === 'z';
}

/** The quote offered for a reply: `JD> ` (the author's initials) before each line of the original. */
export function quotePrefix(handle: string): string {
  const words = handle.match(/[\p{L}\p{N}]+/gu) ?? [];
  let initials = words.length > 1 ? words.slice(0, 3).map((w) => [...w][0]!).join('') : [...(words[0] ?? 'X')].slice(0, 2).join('');
  initials = initials.toUpperCase();
  return `${initials}> `;
}

/**
 * How much of the original a reply quotes, as FidoNet and BBS netiquette has it: quote
 * what you answer, not the whole letter, and do not pile quotes on quotes.
 * - Depth: the original's own quotes are kept one level deep (`BO> AL> text` shows what
 *   the original answered); deeper ones are left out, each run as one `[...]` line.
 * - Length: the reply starts with the first QUOTE_START_LINES lines and a line saying
 *   how many more were left out; the quote window (Ctrl-O or Ctrl-Q, `/q`) still offers them all,
 *   so any line the caller answers can be picked. Ten lines leave more than half of an
 *   80x25 editor (23 text rows) for the answer.
 */
export const QUOTE_MAX_DEPTH = 1;
export const QUOTE_START_LINES = 10;
/** One level of quoting at the start of a line: `AL> `, ` JD> `, `> ` (initials, or none, then `>`). */
const QUOTE_MARK = /^ ?[\p{L}\p{N}]{0,4}>(?= |>|$) ?/u;

/** The quote marks a line starts with, as written (`AL> BO> ` in `AL> BO> x`), and how many. */
export function quoteMarks(line: string): { marks: string; depth: number } {
  let depth = 0;
  let at = 0;
  for (let m = QUOTE_MARK.exec(line); m && depth < 100; m = QUOTE_MARK.exec(line.slice(at))) {
    depth++;
    at += m[0].length;
  }
  return { marks: line.slice(0, at), depth };
}

/** How many quote marks a line starts with (`AL> BO> x` is 2). */
export function quoteDepth(line: string): number {
  return quoteMarks(line).depth;
}

/**
 * The width most messages were written at: an 80-column editor's lines end before the last
 * column. A line that long, whose next line's first word would not have fit after it, was
 * broken by the writer's word wrap, not by Enter (a body keeps no mark of which).
 */
const WRITTEN_WIDTH = 79;

/**
 * The lines of `body` quoted with `prefix`, each fit to `width`. A paragraph the writer's
 * editor wrapped is joined and wrapped again to the room the prefix leaves, as FidoNet
 * editors reflow a quote: quoting each line on its own made a full line's last word a
 * line of its own (`AL> ...at the` / `AL> right` / `AL> margin of...`). Lines broken by
 * Enter (a short line, a blank line, an indented line, a change of quote marks) stay as
 * they were. Lines the original quoted keep their marks on every line, up to `maxDepth`
 * levels of them; deeper runs become one `[...]` line.
 */
export function quoteLines(body: string, prefix: string, width: number, maxLines = 500, maxDepth = QUOTE_MAX_DEPTH): string[] {
  const out: string[] = [];
  const lines = body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((raw) => raw.replace(UNPRINTABLE, '').replace(/\s+$/, ''));
  // (a writer on a wider screen wrapped wider)
  let writtenWidth = WRITTEN_WIDTH;
  for (const l of lines) writtenWidth = Math.max(writtenWidth, displayWidth(l));
  let leftOut = false;
  for (let i = 0; i < lines.length && out.length < maxLines; i++) {
    const line = lines[i]!;
    const { marks, depth } = quoteMarks(line);
    if (depth > maxDepth) {
      if (!leftOut) out.push(`${prefix}[...]`);
      leftOut = true;
      continue;
    }
    leftOut = false;
    const lead = prefix + marks;
    let text = line.slice(marks.length);
    if (text === '') {
      out.push(lead.trimEnd());
      continue;
    }
    // The paragraph goes on while the writer's wrap broke it.
    for (let next = lines[i + 1]; next !== undefined; next = lines[i + 1]) {
      const rest = next.slice(marks.length);
      const word = /^[^ ]*/.exec(rest)![0];
      const wrapped = word !== '' && quoteMarks(next).marks === marks && displayWidth(lines[i]!) + 1 + displayWidth(word) > writtenWidth;
      if (!wrapped) break;
      text += ` ${rest}`;
      i++;
    }
    // (every row within the width, however narrow: a row the editor had to wrap again went on without its marks)
    wrapQuoted([...text], lead, Math.max(1, width - 1 - displayWidth(lead)), out, maxLines);
  }
  while (out.length > 0 && out[out.length - 1] === prefix.trimEnd()) out.pop();
  return out;
}

/** `chars` as lines of `lead` and at most `room` columns, broken after a space where one fits. */
function wrapQuoted(chars: string[], lead: string, room: number, out: string[], maxLines: number): void {
  let rest = chars;
  while (rest.length > 0 && out.length < maxLines) {
    let w = 0;
    let cut = rest.length;
    for (let i = 0; i < rest.length; i++) {
      w += charWidth(rest[i]!);
      if (w > room) {
        cut = i;
        break;
      }
    }
    if (cut < rest.length) {
      const space = rest.lastIndexOf(' ', cut);
      if (space > 0) cut = space + 1;
    }
    out.push(lead + rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
  }
}

/**
 * A line of a message as rows of a `width`-column screen that keep its quote marks: a
 * quoted line (`JD> text`) wider than the screen is broken after a space with its marks
 * again at the start of each row (a reader's wrap left `JD> ` on the first row only);
 * any other line is left to the reader's own wrap.
 */
export function fitQuotedLine(line: string, width: number): string[] {
  const { marks, depth } = quoteMarks(line);
  if (depth === 0 || displayWidth(line) <= width - 1) return [line];
  const out: string[] = [];
  wrapQuoted([...line.slice(marks.length)], marks, Math.max(1, width - 1 - displayWidth(marks)), out, Number.POSITIVE_INFINITY);
  return out;
}

/**
 * The quote a reply starts with: the first `max` lines of `quote` (quoteLines()), and
 * when there are more, a line saying how many were left out (the quote window has them),
 * shortened to `[... N more]` where the whole does not fit a `width`-column editor (the
 * editor wrapped it, and `lines]` went on without the marks).
 */
export function quoteStart(quote: readonly string[], prefix: string, max = QUOTE_START_LINES, width = Number.POSITIVE_INFINITY): string[] {
  if (quote.length <= max) return [...quote];
  const start = quote.slice(0, max);
  while (start.length > 0 && start[start.length - 1] === prefix.trimEnd()) start.pop();
  const left = quote.length - start.length;
  const marker = `${prefix}[... ${plural(left, 'more line')}]`;
  return [...start, displayWidth(marker) <= width - 1 ? marker : `${prefix}[... ${left} more]`];
}
