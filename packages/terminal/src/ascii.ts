import type { TerminalInfo } from '@carrier/core';
import { isPlainTerminal } from '@carrier/core';

/**
 * A plain terminal (TERM=dumb, a teletype: core's isPlainTerminal) whose character set
 * nobody named: no CHARSET answer, no UTF-8 LANG, no choice on the user-settings screen
 * (U). The board's default encoding (CP437) would show its box drawing and accents as
 * garbage on the UTF-8 or ASCII terminal such a caller most likely has, so the text is
 * sent as ASCII (asciiStandIns), which reads the same in either encoding.
 */
export function wantsAsciiOnly(term: Pick<TerminalInfo, 'type' | 'encodingSource'>): boolean {
  return isPlainTerminal(term.type) && (term.encodingSource === 'default' || term.encodingSource === 'config');
}

/** Box drawing (U+2500-U+257F) that is a straight horizontal or vertical line; the rest are corners, tees and crosses. */
const BOX_HORIZONTAL = new Set('─━┄┅┈┉╌╍═╴╶╸╺╼╾');
const BOX_VERTICAL = new Set('│┃┆┇┊┋╎╏║╵╷╹╻╽╿');

/** Stand-ins for the non-ASCII characters the board's art, menus and CP437 text use most. */
const STAND_INS: ReadonlyMap<string, string> = new Map([
  // blocks and shades (CP437 0xB0-0xB2, 0xDB-0xDF, 0xFE)
  ...[...'░▒▓█▄▌▐▀■▬'].map((c) => [c, '#'] as const),
  ['╱', '/'], ['╲', '\\'], ['╳', 'X'],
  // arrows and pointers
  ['→', '>'], ['►', '>'], ['▶', '>'], ['›', '>'], ['»', '>>'],
  ['←', '<'], ['◄', '<'], ['◀', '<'], ['‹', '<'], ['«', '<<'],
  ['↑', '^'], ['▲', '^'], ['↓', 'v'], ['▼', 'v'], ['↕', '|'], ['↔', '-'],
  // punctuation
  ['•', '*'], ['∙', '.'], ['·', '.'], ['◘', '*'], ['○', 'o'], ['◙', 'o'], ['☺', ':)'], ['☻', ':)'], ['♥', '<3'],
  ['‘', "'"], ['’', "'"], ['‚', ','], ['“', '"'], ['”', '"'], ['„', '"'], ['′', "'"], ['″', '"'],
  ['–', '-'], ['—', '-'], ['―', '-'], ['‐', '-'], ['−', '-'], ['…', '...'], ['\u00a0', ' '],
  ['±', '+-'], ['≥', '>='], ['≤', '<='], ['≠', '!='], ['≈', '~'], ['÷', '/'], ['×', 'x'], ['°', 'o'], ['√', 'v'],
  ['²', '2'], ['³', '3'], ['¹', '1'], ['ⁿ', 'n'], ['½', '1/2'], ['¼', '1/4'], ['¾', '3/4'],
  ['¢', 'c'], ['£', 'L'], ['¥', 'Y'], ['€', 'EUR'], ['©', '(c)'], ['®', '(R)'], ['™', '(TM)'], ['¡', '!'], ['¿', '?'],
  // letters with no decomposition
  ['ß', 'ss'], ['æ', 'ae'], ['Æ', 'AE'], ['ø', 'o'], ['Ø', 'O'], ['œ', 'oe'], ['Œ', 'OE'], ['ð', 'd'], ['Ð', 'D'],
  ['þ', 'th'], ['Þ', 'Th'], ['ł', 'l'], ['Ł', 'L'], ['đ', 'd'], ['Đ', 'D'], ['ı', 'i'], ['ƒ', 'f'], ['µ', 'u'],
]);

const NON_ASCII = /[^\x00-\x7f]/u;
const COMBINING = /[\u0300-\u036f]/g;

/** One character (a code point) as ASCII: its stand-in, its letter without the accent, or '?'. */
function standIn(ch: string): string {
  const known = STAND_INS.get(ch);
  if (known !== undefined) return known;
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x2500 && cp <= 0x257f) return BOX_HORIZONTAL.has(ch) ? '-' : BOX_VERTICAL.has(ch) ? '|' : '+';
  if (cp >= 0x2580 && cp <= 0x259f) return '#';
  // Combining marks alone (after their letter was kept) draw nothing.
  if (cp >= 0x0300 && cp <= 0x036f) return '';
  const bare = ch.normalize('NFD').replace(COMBINING, '');
  return bare.length > 0 && !NON_ASCII.test(bare) ? bare : '?';
}

/**
 * Text with every non-ASCII character drawn with ASCII: box drawing as `+-|`, blocks and
 * shades as `#`, accented letters without the accent, typographic punctuation as its
 * plain form, anything else as `?`. The one mapping for a terminal that only shows
 * ASCII; ASCII text comes back unchanged (and quickly).
 */
export function asciiStandIns(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  let out = '';
  for (const ch of text) out += ch.charCodeAt(0) < 0x80 ? ch : standIn(ch);
  return out;
}
