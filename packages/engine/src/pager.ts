import { cleanUserText } from '@carrier/core';
import { charWidth, renderPipeCodes, wrapWords } from '@carrier/terminal';
import { readKeyDrawingAgain, type DrawsAgain } from './draw-again.js';

/**
 * Text longer than a screen, a page at a time. Pages are sized to the caller's screen
 * when each one starts (a resize mid-text is followed), lines are wrapped at the
 * caller's width less one column by words (ANSI-BBS terminals wrap the moment the last
 * column is written), and the more-prompt is erased before the next page.
 *
 * At the prompt: Space, PgDn or N shows the next page; Enter or Down one more line;
 * C the rest without stopping; Q, Escape or ^C stops. The prompt is cut to one row
 * (one that wrapped would leave its first row behind when it is erased).
 */

export interface PagerOptions {
  /** render |00-|31 pipe codes in the text (default: shown as written) */
  pipeCodes?: boolean;
  /** the more-prompt; {percent} is replaced by how far through the text the caller is */
  prompt?: string;
  /**
   * Rows already on the screen above the text (a message's header): the first page is
   * shorter by that many, so they are still in view at the first more-prompt.
   */
  above?: number;
  /**
   * Draws the rows above the text (the `above` ones) from a blank screen, asked when the
   * screen is drawn again at a more-prompt for a sysop's spy while they are still in view:
   * the whole screen is drawn. Without it, the text is drawn again in place under them.
   * Sends nothing once `stillShown()` is false.
   */
  drawAbove?: (stillShown: () => boolean) => Promise<void> | void;
  /**
   * Told when the pager ends (at the end of the text, or stopped with Q) the text's rows it
   * wrote last, as many as the screen has rows above the one the cursor ends on: what the
   * caller's screen shows of the text, to draw it again under a later prompt (a sysop's spy).
   */
  shown?: (rows: readonly string[]) => void;
}

export interface PagerIO {
  write(text: string): void;
  readKey(): Promise<string>;
  size(): { cols: number; rows: number };
  /** the screen can be drawn again while the more-prompt waits for a key (SessionSocial.drawsAgain) */
  drawsAgain?: DrawsAgain;
}

export const DEFAULT_MORE_PROMPT = '|08-- |07More |08({percent}%) |15Space|08 page, |15Enter|08 line, |15C|08ontinuous, |15Q|08uit --|07';
const TAB_STOP = 8;
const ERASE_LINE = '\r\x1b[K';
const CLEAR_SCREEN = '\x1b[2J\x1b[H';
const RESET = '\x1b[0m';
const PIPE_TOKEN = /\|\||\|(?:[0-2][0-9]|3[01])/y;

/** The text as lines a terminal can show: no escapes or controls, tabs expanded. */
export function cleanLines(text: string): string[] {
  // Escape sequences (colours come from pipe codes, where width can be counted), other
  // controls, and the format characters that hide or reorder a line: core's one sanitizer.
  return cleanUserText(text, Infinity, { multiline: true, trim: false }).split('\n').map(expandTabs);
}

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) out += ch === '\t' ? ' '.repeat(TAB_STOP - (out.length % TAB_STOP)) : ch;
  return out;
}

/**
 * One logical line cut into screen lines of at most `width` columns, by words (the
 * terminal package's wrapWords); the lines after the first at most `restWidth` (for a
 * hanging indent the caller puts before them). Pipe codes (when rendered) take no column
 * and go with the character after them; a literal `||` takes one.
 */
export function wrapLine(line: string, width: number, pipeCodes = false, restWidth = width): string[] {
  const pieces: Array<{ text: string; width: number; space: boolean; lead?: boolean }> = [];
  let i = 0;
  while (i < line.length) {
    if (pipeCodes && line[i] === '|') {
      PIPE_TOKEN.lastIndex = i;
      const m = PIPE_TOKEN.exec(line);
      if (m) {
        const literal = m[0] === '||';
        pieces.push(literal ? { text: m[0], width: 1, space: false } : { text: m[0], width: 0, space: false, lead: true });
        i += m[0].length;
        continue;
      }
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    pieces.push({ text: ch, width: charWidth(ch), space: ch === ' ' });
    i += ch.length;
  }
  return wrapWords(pieces, width, restWidth).map((row) => row.map((p) => p.text).join(''));
}

/** Page `text` to the caller. Resolves true when the caller reached the end, false when they stopped. */
export async function runPager(io: PagerIO, text: string, opts: PagerOptions = {}): Promise<boolean> {
  const lines = cleanLines(text);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const pipe = opts.pipeCodes === true;
  const show = (s: string): string => (pipe ? renderPipeCodes(s) : s);
  let pending: string[] = [];
  let next = 0;
  /** The next screen line, wrapping the next logical line at the current width when needed. */
  const take = (): string | undefined => {
    if (pending.length === 0) {
      if (next >= lines.length) return undefined;
      pending = wrapLine(lines[next++]!, Math.max(1, io.size().cols - 1), pipe);
    }
    return pending.shift();
  };
  let continuous = false;
  const above = Math.max(0, Math.trunc(opts.above ?? 0));
  let budget = Math.max(1, io.size().rows - 1 - above);
  // The screen lines shown last, as many as the screen has rows above the prompt, kept to
  // draw the screen again at the prompt (a sysop's spy starts); `written` counts them all.
  const onScreen: string[] = [];
  let written = 0;
  // Colours from pipe codes carry across wrapped lines and are reset once at the end.
  const finish = (reachedEnd: boolean): boolean => {
    if (pipe) io.write('\x1b[0m');
    opts.shown?.(onScreen.slice());
    return reachedEnd;
  };
  for (;;) {
    const line = take();
    if (line === undefined) return finish(true);
    io.write(`${show(line)}\r\n`);
    onScreen.push(show(line));
    written++;
    const keep = Math.max(1, io.size().rows - 1);
    if (onScreen.length > keep) onScreen.splice(0, onScreen.length - keep);
    if (continuous || --budget > 0) continue;
    if (pending.length === 0 && next >= lines.length) return finish(true);
    const percent = Math.floor((next / lines.length) * 100);
    const prompt = (opts.prompt ?? DEFAULT_MORE_PROMPT).replace('{percent}', String(percent));
    const promptRow = renderPipeCodes(wrapLine(prompt, Math.max(1, io.size().cols - 1), true)[0] ?? '');
    io.write(promptRow);
    const rowsAbove = Math.max(1, io.size().rows - 1);
    const { drawAbove } = opts;
    const screenAgain = async (stillShown: () => boolean): Promise<void> => {
      const shown = onScreen.slice(-rowsAbove);
      const rest = `${RESET}${shown.map((l) => `${ERASE_LINE}${l}\r\n`).join('')}${ERASE_LINE}${promptRow}`;
      // A screenful written since the text began: the prompt is on the bottom row and the
      // text fills every row above it, so the whole screen is drawn from its top.
      if (written >= rowsAbove) return io.write(`${CLEAR_SCREEN}${rest}`);
      // Else the script's rows (a header) are above the text: drawn by the script, then the
      // text under them, or the text alone, in place.
      if (!drawAbove) return io.write(`${ERASE_LINE}\x1b[${shown.length}A${rest}`);
      await drawAbove(stillShown);
      if (stillShown()) io.write(rest);
    };
    const key = (await readKeyDrawingAgain(io.drawsAgain, () => io.readKey(), screenAgain)).toLowerCase();
    io.write(ERASE_LINE);
    if (key === 'q' || key === 'escape' || key === 'ctrl-c') return finish(false);
    if (key === 'c') continuous = true;
    budget = key === 'enter' || key === 'down' ? 1 : Math.max(1, io.size().rows - 1);
  }
}
