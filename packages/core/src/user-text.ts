/**
 * Text one caller typed that other callers will see (chat lines, oneliners, pages):
 * nobody may paint another caller's screen. Whole escape sequences are removed, not
 * only their ESC, so `ESC[2J` leaves no `[2J` behind; then every remaining C0/C1
 * control, DEL, and the Unicode line separators and bidi overrides that reorder a
 * screen line. Tabs become a space. The result is trimmed and cut to `maxLength` code
 * points without splitting a surrogate pair.
 */

/**
 * ECMA-48 sequences, 7-bit and 8-bit forms: CSI (ESC [ or 0x9B) params intermediates
 * final; OSC/DCS/SOS/PM/APC strings up to BEL or ST (or the end of the text, for one
 * left unterminated); any other ESC + one character (ESC 7, ESC c, ESC ( B …).
 */
const ESCAPE_SEQUENCE =
  /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[\x20-\x2f]*[\x30-\x7e]?/g;
/**
 * C0 and C1 controls, DEL, LINE/PARAGRAPH SEPARATOR, and the Unicode format characters
 * that hide or reorder text: bidi marks, embeddings, overrides and isolates (U+061C,
 * U+200E/F, U+202A-E, U+2066-9), zero-width space, word joiner and invisible operators
 * (U+200B, U+2060-4), and the BOM (U+FEFF). ZWJ/ZWNJ stay: scripts and emoji need them.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** The same, sparing tab and line feed (multi-line text). */
const CONTROL_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** `text` with every escape sequence removed whole (the board's own output, for a terminal that has none). */
export function removeEscapeSequences(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '');
}

export interface UserTextOptions {
  /** keep line breaks (CR LF and CR become LF) and tabs: for a pager text, not a one-line field */
  multiline?: boolean;
  /** trim the ends (default true; a multi-line text keeps its indentation with false) */
  trim?: boolean;
}

/**
 * The one sanitizer for text a caller (or another process on a caller's behalf) made,
 * on its way to someone's screen or prompt: activity, sysop messages, guard messages,
 * chat, pages, oneliners, pager text. Logs escape instead (escapeClientText / client()).
 * `maxLength` is in code points; Infinity for no cut.
 */
export function cleanUserText(text: string, maxLength: number, opts: UserTextOptions = {}): string {
  // A megabyte pasted into a 300-character field costs nothing beyond this cut: escape
  // sequences are short, so eight times the limit leaves room for plenty of them.
  const head = text.length > maxLength * 8 + 64 ? text.slice(0, maxLength * 8 + 64) : text;
  let clean = opts.multiline
    ? head.replace(/\r\n?/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL_KEEP_LINES, '')
    : head.replace(/\t/g, ' ').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
  if (opts.trim !== false) clean = clean.trim();
  if (clean.length <= maxLength) return clean;
  const points = [...clean];
  if (points.length <= maxLength) return clean;
  const cut = points.slice(0, maxLength).join('');
  return opts.trim !== false ? cut.trimEnd() : cut;
}
