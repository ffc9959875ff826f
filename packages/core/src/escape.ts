/**
 * Characters that change how a line reads without showing themselves: format characters
 * (bidi overrides and isolates, zero-width spaces and joiners, the BOM), lone surrogates,
 * line/paragraph separators and the blank letters that render as a space (Hangul fillers,
 * the Braille blank). In a log, `alice\u200b` must not read as `alice`.
 */
export const INVISIBLE_CHAR = /[\p{Cf}\p{Cs}\u115f\u1160\u2028\u2029\u2800\u3164\uffa0]/u;
const INVISIBLE_CHARS = new RegExp(`${INVISIBLE_CHAR.source}|[\\u0080-\\u009f]`, 'gu');

/**
 * For log fields that are not marked as client text: C1 controls and invisible characters
 * become `\uNNNN` (JSON already escapes C0 and ESC), the rest is left as it is.
 */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE_CHARS, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/**
 * Make client-supplied bytes or text safe for a log line or a sysop's terminal:
 * printable ASCII and visible letters (é, Ω, 漢) pass; controls (C0, DEL, C1) become
 * \xNN, invisible characters and the no-break space \uNNNN (bytes: all but printable
 * ASCII become \xNN), and the result
 * is capped so a 10 MiB TTYPE cannot become a 10 MiB log line.
 */
export function escapeClientText(input: string | Buffer | Uint8Array, max = 200): string {
  let out = '';
  if (typeof input === 'string') {
    for (const ch of input) {
      const c = ch.codePointAt(0)!;
      if (c >= 0x20 && c < 0x7f && ch !== '\\') out += ch;
      else if (ch === '\\') out += '\\\\';
      else if (c < 0xa0) out += `\\x${c.toString(16).padStart(2, '0')}`;
      else if (c !== 0xa0 && !INVISIBLE_CHAR.test(ch) && !(c >= 0xfff0 && c <= 0xffff)) out += ch;
      else out += `\\u${c.toString(16).padStart(4, '0')}`;
      if (out.length > max) return out.slice(0, max) + '…';
    }
    return out;
  }
  for (const b of input) {
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else if (b === 0x5c) out += '\\\\';
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
    if (out.length > max) return out.slice(0, max) + '…';
  }
  return out;
}

/** Strip a terminal-type or env string down to safe printable ASCII, lowercased when asked. */
export function sanitizeToken(raw: string, maxLength: number, lower = false): string {
  let s = raw.replace(/[^\x21-\x7e]/g, '');
  if (s.length > maxLength) s = s.slice(0, maxLength);
  return lower ? s.toLowerCase() : s;
}
