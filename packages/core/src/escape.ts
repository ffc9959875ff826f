/**
 * Make client-supplied bytes or text safe for a log line or a sysop's terminal:
 * printable ASCII passes, everything else becomes \xNN (or \uNNNN), and the result
 * is capped so a 10 MiB TTYPE cannot become a 10 MiB log line.
 */
export function escapeClientText(input: string | Buffer | Uint8Array, max = 200): string {
  let out = '';
  if (typeof input === 'string') {
    for (const ch of input) {
      const c = ch.codePointAt(0)!;
      if (c >= 0x20 && c < 0x7f && ch !== '\\') out += ch;
      else if (ch === '\\') out += '\\\\';
      else if (c < 0x100) out += `\\x${c.toString(16).padStart(2, '0')}`;
      else if (c >= 0xa0 && c !== 0x2028 && c !== 0x2029 && !(c >= 0xfff0 && c <= 0xffff)) out += ch;
      else out += `\\u${c.toString(16).padStart(4, '0')}`;
      if (out.length >= max) return out.slice(0, max) + '…';
    }
    return out;
  }
  for (const b of input) {
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else if (b === 0x5c) out += '\\\\';
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
    if (out.length >= max) return out.slice(0, max) + '…';
  }
  return out;
}

/** Strip a terminal-type or env string down to safe printable ASCII, lowercased when asked. */
export function sanitizeToken(raw: string, maxLength: number, lower = false): string {
  let s = raw.replace(/[^\x21-\x7e]/g, '');
  if (s.length > maxLength) s = s.slice(0, maxLength);
  return lower ? s.toLowerCase() : s;
}
