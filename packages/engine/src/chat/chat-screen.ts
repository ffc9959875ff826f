import { charWidth, clipAnsiRow, viewSize, wrapWords } from '@carrier/terminal';
import { clipToWidth, fitToWidth } from '../text-fit.js';

/**
 * The chat room's screen, drawn with plain ANSI rather than blessed: a room fans every
 * line out to every member, and a blessed screen costs about a megabyte and milliseconds
 * per render per caller, which a thousand callers in one room cannot afford. Here a new
 * line costs its own bytes: the middle of the screen is a scrolling region (DECSTBM), so
 * the terminal scrolls it, and the input line below it is never touched except to put
 * the cursor back.
 *
 *   rows 1..H      the header: the board's chat art (artRows), when the screen has room
 *   row H+1        title: the room and who is in it
 *   rows H+2..R-2  the scrolling region: what was said
 *   row R-1        status: help, or how many new lines wait below while scrolled back
 *   row R          the input line (the caller's own LineEditor, drawn after `prompt`)
 *
 * Pure: methods return the bytes to send. Text handed in must already be clean (no
 * controls): it is measured with charWidth and cut to the screen.
 */

/** One run of text in one colour (an SGR sequence, e.g. '\x1b[0;1;36m'). */
export interface Segment {
  sgr: string;
  text: string;
}
export type ChatRow = readonly Segment[];

/** Lines kept for PgUp; a caller scrolling back further than this has read enough. */
export const SCROLLBACK_LINES = 500;
/** Continuation rows of a wrapped line start this far in, so each line's start stands out. */
const INDENT = '  ';
const RESET = '\x1b[0m';
/**
 * A line said in a room is drawn by every member's screen; most share one width, so the
 * wrapped and drawn form is kept per row object (rows are immutable) and width.
 */
const drawnRows = new WeakMap<ChatRow, { width: number; rows: ChatRow[]; text: string }>();
const TITLE_SGR = '\x1b[0;1;37;44m';
/** A header is drawn only when this many rows are left below it for the room itself. */
export const MIN_ROOM_ROWS = 12;
const STATUS_SGR = '\x1b[0;30;46m';

export class ChatScreen {
  private cols: number;
  private rows: number;
  private readonly lines: ChatRow[] = [];
  /** wrapped rows the view is scrolled back by; 0 is live */
  private back = 0;
  private unseen = 0;
  private title = '';
  /** the status row's wordings, longest first: the first that fits is shown */
  private status: readonly string[] = [];
  private readonly promptWidth: number;

  constructor(
    size: { cols: number; rows: number },
    private readonly prompt: string,
    private readonly header: readonly string[] = [],
  ) {
    // Never larger than a full-screen view may be (limits.view): a 500x300 terminal gets the top-left corner.
    const v = viewSize(size.cols, size.rows);
    this.cols = v.cols;
    this.rows = v.rows;
    this.promptWidth = visibleWidth(prompt);
  }

  /** Rows the header takes at this size: all of it, or none on a screen too short for it and the room. */
  get headerRows(): number {
    return this.rows - this.header.length >= MIN_ROOM_ROWS ? this.header.length : 0;
  }

  /** The scrolling region's first and last rows (1-based). */
  get region(): { top: number; bottom: number } {
    const top = this.headerRows + 2;
    return { top, bottom: Math.max(top, this.rows - 2) };
  }

  get scrolledBack(): boolean {
    return this.back > 0;
  }

  /** Where the input line's cursor must be before the line editor redraws: row R, column 1, then the prompt. */
  inputLine(): string {
    return `\x1b[${this.rows};1H${RESET}\x1b[K${this.prompt}`;
  }

  /** The cursor just after the prompt, the input line left as it is (nothing typed there). */
  inputStart(): string {
    return `\x1b[${this.rows};${this.promptWidth + 1}H`;
  }

  /** The line editor's field width (from after the prompt to the right edge). */
  get inputCols(): number {
    return Math.max(2, this.cols - this.promptWidth);
  }

  /** Everything, from a blank screen. End with the input line's cursor placed (caller redraws the editor). */
  full(): string {
    const { top, bottom } = this.region;
    let out = `${RESET}\x1b[r\x1b[2J\x1b[${top};${bottom}r`;
    out += this.headerRowsDrawn() + this.titleRow() + this.regionRows() + this.statusRow();
    return out + this.inputLine();
  }

  resize(cols: number, rows: number): string {
    const v = viewSize(cols, rows);
    this.cols = v.cols;
    this.rows = v.rows;
    this.back = Math.min(this.back, this.maxBack());
    return this.full();
  }

  /** Leave the screen as a plain terminal again: margins reset, cleared. */
  teardown(): string {
    return `${RESET}\x1b[r\x1b[2J\x1b[H`;
  }

  setTitle(text: string): string {
    if (text === this.title) return '';
    this.title = text;
    return this.titleRow() + this.inputLine();
  }

  /** The status row: one text, or several wordings longest first, of which the first that fits the screen shows (a narrow one cut the help mid-word). */
  setStatus(text: string | readonly string[]): string {
    const wordings = typeof text === 'string' ? [text] : text;
    if (wordings.length === this.status.length && wordings.every((w, i) => w === this.status[i])) return '';
    this.status = wordings;
    return this.statusRow() + this.inputLine();
  }

  /**
   * Add a line; live, it scrolls into view at the bottom of the region. With `idle` (the
   * input line is empty) the cursor goes straight back after the prompt instead of the
   * input line being redrawn: the common case when a busy room fans a line out.
   */
  add(row: ChatRow, idle = false): string {
    this.lines.push(row);
    if (this.lines.length > SCROLLBACK_LINES) this.lines.splice(0, this.lines.length - SCROLLBACK_LINES);
    const back = idle ? this.inputStart() : this.inputLine();
    if (this.back > 0) {
      this.back += this.wrap(row).length;
      this.unseen += 1;
      return this.statusRow() + back;
    }
    return `\x1b[${this.region.bottom};1H${this.drawn(row)}${back}`;
  }

  private drawn(row: ChatRow): string {
    const width = this.cols;
    const hit = drawnRows.get(row);
    if (hit && hit.width === width) return hit.text;
    const rows = this.wrap(row);
    let text = '';
    for (const r of rows) text += `\r\n${draw(r)}${RESET}`;
    drawnRows.set(row, { width, rows, text });
    return text;
  }

  /**
   * Forget every line, as on entering another room: the region is blanked and there is
   * nothing to scroll back to. Nothing is sent when there was nothing to forget.
   */
  clear(): string {
    if (this.lines.length === 0 && this.back === 0) return '';
    this.lines.length = 0;
    this.back = 0;
    this.unseen = 0;
    return this.regionRows() + this.statusRow() + this.inputLine();
  }

  /** PgUp (-1) / PgDn (+1) by a page of the region; 'end' goes back to live. */
  scroll(dir: -1 | 1 | 'end'): string {
    const page = Math.max(1, this.region.bottom - this.region.top);
    const before = this.back;
    this.back = dir === 'end' ? 0 : Math.max(0, Math.min(this.maxBack(), this.back - dir * page));
    if (this.back === before) return '';
    if (this.back === 0) this.unseen = 0;
    return this.regionRows() + this.statusRow() + this.inputLine();
  }

  private maxBack(): number {
    const height = this.region.bottom - this.region.top + 1;
    return Math.max(0, this.allRows().length - height);
  }

  private allRows(): ChatRow[] {
    return this.lines.flatMap((l) => this.wrap(l));
  }

  private regionRows(): string {
    const { top, bottom } = this.region;
    const height = bottom - top + 1;
    const all = this.allRows();
    const end = all.length - this.back;
    const shown = all.slice(Math.max(0, end - height), end);
    // Bottom-aligned like the live view: an empty room's first lines appear at the bottom.
    const pad = height - shown.length;
    let out = '';
    for (let i = 0; i < height; i++) {
      const r = i < pad ? undefined : shown[i - pad];
      out += `\x1b[${top + i};1H${RESET}\x1b[K${r ? draw(r) : ''}${RESET}`;
    }
    return out;
  }

  /** Art is drawn to the last column, so auto-wrap is off meanwhile (an ANSI-BBS terminal wraps on writing it). */
  private headerRowsDrawn(): string {
    if (this.headerRows === 0) return '';
    let out = '\x1b[?7l';
    for (let i = 0; i < this.headerRows; i++) out += `\x1b[${i + 1};1H${clipAnsiRow(this.header[i]!, this.cols)}`;
    return `${out}\x1b[?7h`;
  }

  private titleRow(): string {
    return `\x1b[${this.headerRows + 1};1H${TITLE_SGR}${fitToWidth(this.title, this.cols - 1)}${RESET}`;
  }

  private statusRow(): string {
    const waiting = `${this.unseen} new ${this.unseen === 1 ? 'line' : 'lines'} below`;
    const back =
      this.unseen === 0
        ? ['-- scrolled back (PgDn, End) --', '-- back (PgDn) --']
        : [`-- scrolled back: ${waiting} (PgDn, End) --`, `-- back: ${waiting} (PgDn) --`, `-- back, ${this.unseen} new (PgDn) --`];
    const wordings = this.back > 0 ? back : this.status;
    const width = this.cols - 1;
    const text = wordings.find((w) => clipToWidth(w, width) === w) ?? wordings[wordings.length - 1] ?? '';
    return `\x1b[${this.rows - 1};1H${STATUS_SGR}${fitToWidth(text, width)}${RESET}`;
  }

  /**
   * Rows of at most cols-1 columns (the last one wraps at once on ANSI-BBS terminals),
   * by words and display width (the terminal package's wrapWords); continuation rows
   * are indented.
   */
  private wrap(row: ChatRow): ChatRow[] {
    const hit = drawnRows.get(row);
    if (hit && hit.width === this.cols) return hit.rows;
    const width = Math.max(4, this.cols - 1);
    const pieces: Array<{ sgr: string; ch: string; width: number; space: boolean }> = [];
    for (const seg of row) for (const ch of seg.text) pieces.push({ sgr: seg.sgr, ch, width: charWidth(ch), space: ch === ' ' });
    return wrapWords(pieces, width, width - INDENT.length).map((cells, i) => {
      const out: Segment[] = i === 0 ? [] : [{ sgr: '', text: INDENT }];
      let last: Segment | undefined;
      for (const c of cells) {
        if (last && last.sgr === c.sgr) last.text += c.ch;
        else out.push((last = { sgr: c.sgr, text: c.ch }));
      }
      return out;
    });
  }
}

function draw(row: ChatRow): string {
  let out = '';
  for (const seg of row) out += seg.sgr + seg.text;
  return out;
}

/** Columns a prompt takes, ignoring its SGR sequences. */
function visibleWidth(text: string): number {
  let used = 0;
  for (const ch of text.replace(/\x1b\[[0-9;]*m/g, '')) used += charWidth(ch);
  return used;
}
