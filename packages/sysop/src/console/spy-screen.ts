import xtermHeadless from '@xterm/headless';
import { decodeBytes } from '@carrier/core';
import { displayWidth, fitWidth } from '@carrier/terminal';

const { Terminal } = xtermHeadless;

/** Where the spy view goes: framed (border and label) or bare, how many rows it takes, and whether a row under it holds the label. */
export interface SpyLayout {
  frame: boolean;
  rows: number;
  infoRow: boolean;
}

/**
 * The spy view's place in the sysop's window (`reserved` rows at the bottom kept for the
 * break-in chat's input line). A frame costs two columns and two rows: a window that holds
 * the caller's whole screen only without one gets it bare, at its top-left, the label on
 * the row below when there is one (an 80x25 sysop spying on an 80x25 caller saw 78x23 of
 * it). A window roomy enough for the frame, or too small for the screen either way, keeps
 * the frame and its label.
 */
export function spyLayout(window: { cols: number; rows: number }, caller: { cols: number; rows: number }, reserved = 0): SpyLayout {
  const rows = Math.max(1, window.rows - reserved);
  const fitsFramed = window.cols >= caller.cols + 2 && rows >= caller.rows + 2;
  const fitsBare = window.cols >= caller.cols && rows >= caller.rows;
  if (fitsFramed || !fitsBare) return { frame: true, rows, infoRow: false };
  return { frame: false, rows: caller.rows, infoRow: rows > caller.rows };
}

/**
 * The row for the note on a bare spy view with no row under it (the sysop's window is the
 * caller's size exactly): the lowest row of the caller's screen (`lines`, trailing blanks
 * trimmed) whose last `width` of `cols` cells are blank, so the note, right-aligned there,
 * hides nothing of it; undefined when every row reaches that far.
 */
export function noteRow(lines: readonly string[], cols: number, width: number): number | undefined {
  for (let row = lines.length - 1; row >= 0; row--) {
    if (displayWidth(lines[row]!.trimEnd()) <= cols - width) return row;
  }
  return undefined;
}

/** What the spy's label says: who is watched, their terminal, what the board noted (a door), and the keys. */
export interface SpyLabelParts {
  /** `spying on node 3 alice` */
  who: string;
  /** `80x25 utf8` */
  terminal: string;
  /** the board's note on the first chunk (`a door: shown as it draws`) */
  note?: string;
  /** `read-only, Esc closes` */
  keys: string;
}

/**
 * The label in `width` columns. The note says why the view may be blank or partial (a
 * door's screen shows only as it draws), so it is kept whole longest: the keys go first,
 * then the terminal, then who; only a width too small for the note alone cuts it.
 */
export function spyLabel(p: SpyLabelParts, width: number): string {
  const note = p.note !== undefined ? `, ${p.note}` : '';
  const forms = [
    ` ${p.who} ${p.terminal}${note} (${p.keys}) `,
    ` ${p.who} ${p.terminal}${note} `,
    ` ${p.who}${note} `,
    p.note !== undefined ? ` ${p.note} ` : ` ${p.who} `,
  ];
  const w = Math.max(1, width);
  return forms.find((f) => displayWidth(f) <= w) ?? fitWidth(forms[forms.length - 1]!, w);
}

/**
 * The caller's screen as the spy sees it: the copy of their output fed into a headless
 * terminal of their size, in their encoding. Read-only: nothing typed here reaches them.
 */
export class SpyScreen {
  private term: InstanceType<typeof Terminal>;
  private pending: Promise<void> = Promise.resolve();
  private encoding: 'cp437' | 'utf8';

  constructor(cols: number, rows: number, encoding: 'cp437' | 'utf8') {
    this.term = new Terminal({ cols, rows, scrollback: 0, allowProposedApi: true });
    this.encoding = encoding;
  }

  get cols(): number {
    return this.term.cols;
  }
  get rows(): number {
    return this.term.rows;
  }

  /** One chunk of the copy (base64, as the channel carries it). */
  feed(chunk: { data: string; encoding: 'cp437' | 'utf8'; cols: number; rows: number }): void {
    if (chunk.cols !== this.term.cols || chunk.rows !== this.term.rows) this.term.resize(chunk.cols, chunk.rows);
    this.encoding = chunk.encoding;
    const bytes = Buffer.from(chunk.data, 'base64');
    const data: string | Uint8Array = this.encoding === 'cp437' ? decodeBytes(bytes, 'cp437') : bytes;
    this.pending = new Promise<void>((resolve) => this.term.write(data, resolve));
  }

  /** The rows now, trailing blanks trimmed. */
  async lines(): Promise<string[]> {
    await this.pending;
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** Where the caller's cursor is (0-based). */
  cursor(): { row: number; col: number } {
    const buf = this.term.buffer.active;
    return { row: buf.cursorY, col: buf.cursorX };
  }

  dispose(): void {
    this.term.dispose();
  }
}
