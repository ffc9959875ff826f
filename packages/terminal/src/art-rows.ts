import { charWidth } from './text-width.js';

/**
 * Art as the header of a full-screen view (issue 11 item 3): who's online and chat show
 * their art above the view instead of as a title card the caller waits through.
 *
 * A header is drawn into a few fixed rows of a screen that is not cleared for it, so the
 * art must be line-oriented: text, colours (SGR), cursor-forward (`ESC[nC`, the way
 * editors like PabloDraw and TheDraw save runs of blanks) and line ends. The framing a
 * whole-screen art carries (clear screen, home, auto-wrap and iCE toggles) is dropped
 * before the first visible character. Art that moves the cursor anywhere else (up,
 * absolute positions, saves and restores) is not a header: artRows returns null and the
 * view opens without one.
 *
 * Each row comes back self-contained: it starts from a reset plus the colours still in
 * force from the rows above, so a row is drawn right wherever it is placed, and rows can
 * be cut off below without the ones kept changing colour.
 */

const RESET = '\x1b[0m';
/** One escape sequence: CSI with its parameters, or ESC and one character. */
const ESCAPE = /\x1b(?:\[([0-9;?]*)([ -/]*[@-~])|[^[])/y;
/** Framing a whole-screen art starts with, harmless to drop anywhere in a header. */
const FRAMING = new Set(['?7l', '?7h', '?33h', '?33l', '?25l', '?25h']);
/** The most rows a header may have: a view needs the rest of the screen. */
export const MAX_HEADER_ROWS = 25;

/**
 * `text` (art decoded to Unicode, escapes as they are) cut into header rows, blank rows at
 * the end dropped; at most `maxRows`. Null when the art is not line-oriented or is empty.
 */
export function artRows(text: string, maxRows = MAX_HEADER_ROWS): string[] | null {
  const rows: string[] = [];
  let row = '';
  let visible = false;
  let rowVisible = false;
  /** the SGR sequences in force: the last reset and everything after it */
  let sgr = '';
  let rowStartSgr = '';
  const endRow = (): void => {
    rows.push(RESET + rowStartSgr + row);
    row = '';
    rowVisible = false;
    rowStartSgr = sgr;
  };
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === '\x1b') {
      ESCAPE.lastIndex = i;
      const m = ESCAPE.exec(text);
      if (!m) return null;
      i += m[0].length;
      const params = m[1] ?? '';
      const final = m[2];
      if (final === 'm') {
        const reset = params === '' || /^0*(;|$)/.test(params);
        sgr = reset ? m[0] : sgr + m[0];
        row += m[0];
      } else if (final === 'C') {
        row += m[0];
        rowVisible = true;
      } else if (final !== undefined && FRAMING.has(params + final)) {
        // auto-wrap, iCE colours and cursor visibility belong to the view, not its header
      } else if (!visible && final !== undefined && (final === 'J' || (final === 'H' && /^(1?(;1?)?)?$/.test(params)))) {
        // clear screen and home before anything is drawn: the view places the rows itself
      } else {
        return null;
      }
      continue;
    }
    if (ch === '\r' && text[i + 1] === '\n') {
      i += 1;
      continue;
    }
    if (ch === '\n') {
      endRow();
      i += 1;
      if (rows.length > maxRows) break;
      continue;
    }
    if (ch === '\r' || ch === '\b' || ch === '\t' || ch === '\f' || ch === '\v' || ch === '\x00') return null;
    row += ch;
    visible = true;
    if (ch !== ' ') rowVisible = true;
    i += ch.length;
  }
  if (rowVisible) endRow();
  while (rows.length > 0 && isBlank(rows[rows.length - 1]!)) rows.pop();
  if (rows.length === 0) return null;
  return rows.slice(0, maxRows);
}

function isBlank(row: string): boolean {
  return row.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').trim() === '';
}

/**
 * `row` cut to `cols` display columns (escapes kept, cursor-forward counted, or turned
 * into spaces), then reset: a header row never wraps onto the view below it, whatever the
 * terminal's auto-wrap.
 */
export function clipAnsiRow(row: string, cols: number, opts: { forwardAsSpaces?: boolean } = {}): string {
  let out = '';
  let width = 0;
  for (let i = 0; i < row.length && width < cols; ) {
    if (row[i] === '\x1b') {
      ESCAPE.lastIndex = i;
      const m = ESCAPE.exec(row);
      if (!m) break;
      i += m[0].length;
      if (m[2] === 'C') {
        const n = Math.min(Math.max(1, Number(m[1]) || 1), cols - width);
        // A widget library that keeps its own cell buffer (blessed) knows SGR but not cursor moves.
        out += opts.forwardAsSpaces ? ' '.repeat(n) : `\x1b[${n}C`;
        width += n;
      } else {
        out += m[0];
      }
      continue;
    }
    const ch = String.fromCodePoint(row.codePointAt(i)!);
    const w = charWidth(ch);
    if (width + w > cols) break;
    out += ch;
    width += w;
    i += ch.length;
  }
  return out + RESET;
}
