/**
 * How many terminal columns one code point takes: 0 for what does not advance the
 * cursor (controls, combining marks, format characters, lone surrogates), 2 for East
 * Asian wide and fullwidth characters and pictographic emoji, 1 for the rest.
 * A compact subset of Unicode's EastAsianWidth W/F ranges: enough for a line editor
 * to keep its cursor where the terminal thinks it is.
 */
const ZERO_WIDTH = /^[\p{Cc}\p{Cf}\p{Cs}\p{Mn}\p{Me}\p{Zl}\p{Zp}]$/u;

const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, CJK compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x1f300, 0x1f64f], // pictographs, emoticons
  [0x1f680, 0x1f6ff], // transport and map symbols
  [0x1f900, 0x1f9ff], // supplemental symbols and pictographs
  [0x20000, 0x3fffd], // CJK extensions B and later
];

export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return 0;
  if (cp >= 0x20 && cp < 0x7f) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  if (cp < 0x1100) return 1;
  for (const [lo, hi] of WIDE_RANGES) {
    if (cp < lo) return 1;
    if (cp <= hi) return 2;
  }
  return 1;
}

/** One piece of text to wrap: a character, or a token such as a colour code. */
export interface WrapPiece {
  /** columns it takes: charWidth for a character, 0 for a colour code or a combining mark */
  readonly width: number;
  /** a space: rows break at spaces, and the spaces at a break are dropped */
  readonly space: boolean;
  /** belongs to what follows it (a colour code): at a full row it starts the next one */
  readonly lead?: boolean;
}

/**
 * Wrap by words, measured in display columns: rows of at most `width` columns, the rows
 * after the first at most `restWidth` (for a continuation indent). Rows break at spaces;
 * a wide character (CJK, emoji) may break on either side of it; a word longer than a
 * row is cut where the row ends, and a wide character never straddles the edge. The
 * spaces at a break are dropped. The one wrapper for chat lines and the pager.
 */
export function wrapWords<P extends WrapPiece>(pieces: readonly P[], width: number, restWidth = width): P[][] {
  const rows: P[][] = [];
  let row: P[] = [];
  let used = 0;
  let limit = Math.max(1, width);
  const rest = Math.max(1, restWidth);
  const newRow = (): void => {
    while (row.length > 0 && row[row.length - 1]!.space) row.pop();
    rows.push(row);
    row = [];
    used = 0;
    limit = rest;
  };
  let i = 0;
  while (i < pieces.length) {
    const first = pieces[i]!;
    let j = i;
    let w = 0;
    if (first.space) {
      while (j < pieces.length && pieces[j]!.space) w += pieces[j++]!.width;
      if (used + w <= limit) {
        for (; i < j; i++) row.push(pieces[i]!);
        used += w;
      } else if (j < pieces.length) {
        newRow();
      }
      i = j;
      continue;
    }
    // A word runs to the next space; a wide character is a word of its own, with the marks after it.
    if (first.width >= 2) {
      w = first.width;
      j++;
      while (j < pieces.length && !pieces[j]!.space && pieces[j]!.width === 0 && !pieces[j]!.lead) j++;
    } else {
      while (j < pieces.length && !pieces[j]!.space && pieces[j]!.width < 2) w += pieces[j++]!.width;
    }
    if (used + w > limit && used > 0 && w <= rest) newRow();
    if (used + w <= limit) {
      for (; i < j; i++) row.push(pieces[i]!);
      used += w;
      continue;
    }
    // Longer than a row: cut it where each row ends.
    for (; i < j; i++) {
      const p = pieces[i]!;
      if (used > 0 && (used + p.width > limit || (p.lead === true && used >= limit))) newRow();
      row.push(p);
      used += p.width;
    }
  }
  rows.push(row);
  return rows;
}
