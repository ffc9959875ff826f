import { displayWidth, pipeLiteral, stripPipeCodes } from '@carrier/terminal';
import { wrapLine } from './pager.js';
import type { Session } from './session-api.js';

/**
 * Prompts and rows that fit one row of the caller's screen: a menu's hotkeys shortened to
 * what fits, with `?` for what each does, and the first of several wordings that fits.
 * Used by every line-mode menu (message areas, mail, file areas) and the scripts; and a
 * sentence printed broken between words at the caller's width, not mid-word by the terminal.
 */

/** `text` (pipe-coded, one paragraph) printed a row at a time, broken between words to the caller's width. */
export function printWords(s: Pick<Session, 'println' | 'terminal'>, text: string): void {
  for (const row of wrapLine(text, Math.max(1, s.terminal.cols - 1), true)) s.println(row);
}

/**
 * A question (pipe-coded; a sysop's menu prompt may have line breaks) broken between words
 * at the caller's width, its last row left open for the answer typed after it: a question
 * too long for a row went on mid-word (`Where do you call from (` / `city, country…`).
 */
export function printPrompt(s: Pick<Session, 'print' | 'println' | 'terminal'>, text: string): void {
  const rows = text.split('\n').flatMap((line) => wrapLine(line, Math.max(1, s.terminal.cols - 1), true));
  rows.slice(0, -1).forEach((row) => s.println(row));
  s.print(rows[rows.length - 1] ?? '');
}

/** The first of `rows` (pipe-coded, one line each) that fits one row of a `cols`-wide screen. */
export function firstFitting(rows: readonly string[], cols: number): string | undefined {
  return rows.find((row) => displayWidth(stripPipeCodes(row)) <= cols - 1);
}

/**
 * One hotkey of a prompt: the key, the word it stands for (`Next`, `thread next`), and where
 * the word is short for more, what `?` says it does (`Web`, `Web download link`).
 */
export type PromptKey = readonly [key: string, word: string, legend?: string];

/** The key asked for the legend of a prompt shortened to its keys. */
export const LEGEND_KEY = '?';

/**
 * A prompt of hotkeys that fits one row of a `cols`-wide screen, the first of these that
 * does: `[N]ext [+]thread next [Q]uit: `; the words that start with their key only, and
 * `[?]` (LEGEND_KEY, which keyLegend answers), `[N]ext [+] [Q]uit [?]: `; the keys alone,
 * `[N + Q ?]: `; packed, `[N+Q?]: `. (The reader's took two rows at 80 columns for a
 * sysop, three at 24 for anyone.)
 */
export function keyPrompt(keys: readonly PromptKey[], cols: number): string {
  const room = cols - 1;
  const label = (key: string, word: string, bare: boolean): { plain: string; piped: string } => {
    if (word[0]?.toLowerCase() === key.toLowerCase()) return { plain: `[${word[0]}]${word.slice(1)}`, piped: `|08[|15${word[0]}|08]|07${word.slice(1)}` };
    const k = pipeLiteral(key);
    return bare ? { plain: `[${key}]`, piped: `|08[|15${k}|08]|07` } : { plain: `[${key}]${word}`, piped: `|08[|15${k}|08]|07${word}` };
  };
  const letters = [...keys.map(([key]) => key), LEGEND_KEY];
  const forms = [
    keys.map(([key, word]) => label(key, word, false)),
    [...keys.map(([key, word]) => label(key, word, true)), label(LEGEND_KEY, '', true)],
    [{ plain: `[${letters.join(' ')}]`, piped: `|08[|15${pipeLiteral(letters.join(' '))}|08]|07` }],
  ];
  for (const form of forms) {
    if (displayWidth(`${form.map((w) => w.plain).join(' ')}: `) <= room) return `${form.map((w) => w.piped).join(' ')}: `;
  }
  return `|08[|15${pipeLiteral(letters.join(''))}|08]|07: `;
}

/** What each key of a shortened prompt does, a row each (`N  Next`): the answer to `?`. */
export function keyLegend(keys: readonly PromptKey[]): string[] {
  return keys.map(([key, word, legend]) => `|15${pipeLiteral(key)}|07  ${legend ?? word}`);
}
