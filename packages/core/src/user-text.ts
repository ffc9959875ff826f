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
/** C0 and C1 controls, DEL, LINE/PARAGRAPH SEPARATOR, bidi embeddings, overrides and isolates. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function cleanUserText(text: string, maxLength: number): string {
  // A megabyte pasted into a 300-character field costs nothing beyond this cut: escape
  // sequences are short, so eight times the limit leaves room for plenty of them.
  const head = text.length > maxLength * 8 + 64 ? text.slice(0, maxLength * 8 + 64) : text;
  const clean = head.replace(/\t/g, ' ').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').trim();
  const points = [...clean];
  return points.length > maxLength ? points.slice(0, maxLength).join('').trimEnd() : clean;
}
