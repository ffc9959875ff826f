import { charWidth, wrapWords } from '../text-width.js';

/**
 * The editor's help screen (F1 or Ctrl-K): every key, one a row on a screen of 40
 * columns or more (a key column of EDITOR_KEY_COLUMN and a few words), where the status
 * row has room for only the most needed of them. On a narrower screen a description
 * wraps under itself instead of being cut, and below HELP_WORDS_MIN columns beside the
 * keys each key has a row of its own with its words indented under it.
 */
export const EDITOR_KEYS: ReadonlyArray<readonly [keys: string, does: string]> = [
  ['Ctrl-Z', 'save the message'],
  ['Esc', 'abort (asks first)'],
  ['Ctrl-O Ctrl-Q', 'quote window'],
  ['Ctrl-Y', 'delete the line'],
  ['Insert', 'insert / overwrite'],
  ['Enter', 'end the paragraph'],
  ['Tab', 'to the next tab stop'],
  ['Backspace Del', 'delete a character'],
  ['Home Ctrl-A', 'start of the line'],
  ['End Ctrl-E', 'end of the line'],
  ['Arrows', 'move'],
  ['PgUp PgDn', 'a screen up / down'],
  ['F1 Ctrl-K', 'this help'],
];
export const EDITOR_KEY_COLUMN = 15;
/** Fewer columns than this beside the key column and the words go under their key. */
const HELP_WORDS_MIN = 12;
const HELP_INDENT = 2;

/** `text` by words in rows of at most `width` columns (a word longer than a row is cut). */
function wrapPlain(text: string, width: number): string[] {
  const pieces = [...text].map((ch) => ({ ch, width: charWidth(ch), space: ch === ' ' }));
  return wrapWords(pieces, width).map((row) => row.map((p) => p.ch).join(''));
}

/** The help screen's rows for `cols` usable columns: every key and all of its words. */
export function helpRows(cols: number): string[] {
  const rows: string[] = [];
  const beside = cols - EDITOR_KEY_COLUMN;
  for (const [keys, does] of EDITOR_KEYS) {
    if (beside >= HELP_WORDS_MIN) {
      wrapPlain(does, beside).forEach((words, i) => rows.push(`${(i === 0 ? keys : '').padEnd(EDITOR_KEY_COLUMN)}${words}`));
    } else {
      rows.push(...wrapPlain(keys, cols));
      for (const words of wrapPlain(does, Math.max(1, cols - HELP_INDENT))) rows.push(`${' '.repeat(HELP_INDENT)}${words}`);
    }
  }
  return rows;
}
