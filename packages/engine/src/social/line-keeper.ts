import type { LineEditor } from '@carrier/terminal';

/**
 * Knows what the caller's current screen line holds (the prompt, and the line editor
 * when one is open), so a notice arriving from outside can be printed on a line of its
 * own and the prompt and half-typed text put back below it, cursor where it was. Pure:
 * it is told what was written and returns what to write.
 */

/** A prompt line longer than this is not a prompt: the line counts as unknown. */
const MAX_TAIL = 2048;
/** Cursor moves and erases in a prompt would go elsewhere when replayed; colours (SGR) are kept. */
const NON_SGR_CSI = /\x1b\[[0-9;?]*[ -/]*[@-ln-~]|\x1b[78]/g;
/** What can end the known line: a line break, a cursor move (CSI), a cursor restore (ESC 7/8). */
const LINE_EVENT = /[\r\n]|\x1b\[([0-9;?]*)[ -/]*([@-~])|\x1b[78]/g;
/** CSI finals that move the cursor (CUU..CHA, CUP, VPA, HVP, HPR, VPR, HPA, DECSTBM, SCO save/restore). */
const CURSOR_MOVES = new Set(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'd', 'f', 'a', 'e', '`', 'r', 's', 'u']);
const RESET = '\x1b[0m';
/**
 * The rows kept of what was printed above the current line (for a sysop's spy that starts
 * at a script's prompt): the last ones, these many characters at most (a full 80x25
 * screen of text with its colours is well under it).
 */
const ROWS_KEPT_CHARS = 16 * 1024;

/**
 * How a cursor move leaves the line: at column 1 of a line the keeper knows nothing of
 * yet ('start': `ESC[H`, `ESC[5;1H`, CNL/CPL, CHA 1; what follows is the new line), or
 * somewhere it cannot follow ('unknown': a full-screen editor draws its rows with
 * `ESC[row;colH`, none of which is a prompt to put back).
 */
function cursorMove(params: string, final: string): 'start' | 'unknown' {
  if (final === 'E' || final === 'F') return 'start';
  const column = final === 'H' || final === 'f' ? (params.split(';')[1] ?? '') : final === 'G' || final === '`' ? params : undefined;
  if (column !== undefined && (column === '' || Number(column) <= 1)) return 'start';
  return 'unknown';
}

export class LineKeeper {
  /** text since the last CR or LF; undefined when raw output (art) made it unknowable */
  private tail: string | undefined = '';
  private editor: LineEditor | undefined;
  private prompt: string | undefined;
  /**
   * The rows ended with a line break since the cursor last moved (a clear screen homes it)
   * or raw output went out, oldest first, bounded by ROWS_KEPT_CHARS (`rowChars`).
   */
  private rows: string[] = [];
  private rowChars = 0;
  /** The line a CR just went back over (undefined: unknown), kept when a LF follows at once (CR LF). */
  private beforeCr: { row: string | undefined } | undefined;

  /** Text the session wrote. */
  wrote(text: string): void {
    let from = 0;
    for (const m of text.matchAll(LINE_EVENT)) {
      const final = m[2];
      // Colours, erases and modes are part of the line (replayed without the erases).
      if (final !== undefined && !CURSOR_MOVES.has(final)) continue;
      const ended = this.tail === undefined ? undefined : this.tail + text.slice(from, m.index);
      const crLf = this.beforeCr !== undefined && m.index === from;
      if (m[0] === '\n') this.keepRow(crLf ? this.beforeCr!.row : ended);
      else if (m[0] !== '\r') this.forgetRows();
      this.beforeCr = m[0] === '\r' ? { row: ended } : undefined;
      // A line break or a move to column 1 starts a fresh line; any other move (or DECRC) goes where the line is unknown.
      const starts = final === undefined ? m[0] === '\r' || m[0] === '\n' : cursorMove(m[1] ?? '', final) === 'start';
      this.tail = starts ? '' : undefined;
      from = m.index + m[0].length;
    }
    // Text after a CR writes over the line it went back to: a LF next ends that text.
    if (from < text.length) this.beforeCr = undefined;
    if (this.tail !== undefined) this.tail += text.slice(from);
    if (this.tail !== undefined && this.tail.length > MAX_TAIL) this.tail = undefined;
  }

  /** Bytes went out that this cannot follow (art): the line is unknown until the next line starts. */
  lost(): void {
    this.tail = undefined;
    this.forgetRows();
  }

  /**
   * The last `max` rows printed above the current line since the screen was cleared (or
   * the cursor moved, or raw output went out), colours kept: the screen a script's prompt
   * is under, drawn again for a sysop's spy.
   */
  shownRows(max: number): string[] {
    return max > 0 ? this.rows.slice(-max) : [];
  }

  private keepRow(row: string | undefined): void {
    // A row whose start is unknown (after art, a cursor move elsewhere) is not kept, nor one
    // too long for a prompt's line (MAX_TAIL).
    if (row === undefined || row.length > MAX_TAIL) return;
    const kept = row.replace(NON_SGR_CSI, '');
    this.rows.push(kept);
    this.rowChars += kept.length;
    while (this.rowChars > ROWS_KEPT_CHARS) this.rowChars -= this.rows.shift()!.length;
  }

  /**
   * Output this did not see changed the screen's rows (a full-screen view drew there: a
   * terminal without an alternate screen keeps what it drew). The current line is kept:
   * what is put back after a notice.
   */
  forgetRows(): void {
    this.rows = [];
    this.rowChars = 0;
    this.beforeCr = undefined;
  }

  /** A line editor starts at the cursor: what precedes it on the line is its prompt. */
  editing(editor: LineEditor | undefined): void {
    this.editor = editor;
    this.prompt = editor ? this.tail : undefined;
  }

  /** Print `line` (ANSI, no newline) on its own line and put the current line back below it. */
  interrupt(line: string): string {
    const back = this.currentLine();
    if (back === undefined) return `\r\n${line}${RESET}\r\n`;
    return `\r\x1b[K${line}${RESET}\r\n${back}`;
  }

  /**
   * After a full-screen view had the screen: a note and the current line below what is
   * there. (Views use the alternate screen where the terminal has one, so leaving it
   * brings the caller's own screen back as it was.)
   */
  restore(note: string): string {
    return `${RESET}\r\n${note}${RESET}\r\n${this.currentLine() ?? ''}`;
  }

  /**
   * The current line drawn again from its first column, the cursor left where the caller's
   * is: the prompt (its colours kept) and the line editor's field; undefined when unknown.
   */
  currentLine(): string | undefined {
    if (this.editor && !this.editor.done) {
      // drawn() is the whole field, the cursor where the caller has it.
      return (this.prompt ?? '').replace(NON_SGR_CSI, '') + this.editor.drawn();
    }
    return this.tail?.replace(NON_SGR_CSI, '');
  }
}
