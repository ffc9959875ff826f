/** What a terminal speaks. CP437 for BBS terminals, UTF-8 for modern ones. */
export type Encoding = 'cp437' | 'utf8';

/**
 * CP437's upper half (0x80-0xFF) as Unicode; the lower half is ASCII. The same table as
 * iconv-lite's `cp437` (encoding.test.ts checks every byte and every UTF-16 unit against
 * it), kept here because iconv-lite loads all of its codepages' tables, hundreds of KiB of
 * strings, on the first use of any one (issue 18: idle memory).
 */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const CP437_DECODE = new Uint16Array(256);
const CP437_ENCODE = new Map<number, number>();
for (let b = 0; b < 256; b++) {
  const unit = b < 0x80 ? b : CP437_HIGH.charCodeAt(b - 0x80);
  CP437_DECODE[b] = unit;
  if (b >= 0x80) CP437_ENCODE.set(unit, b);
}
/** What a UTF-16 unit with no CP437 byte becomes (iconv-lite's default, too). */
const CP437_UNMAPPED = 0x3f; // '?'

/**
 * Unicode -> CP437 bytes, one byte per character; anything CP437 lacks becomes '?'. The
 * one CP437 encoder: a Connection's text goes through it as is, and art (terminal's
 * `encodeCp437Art`) passes `overlay`, more UTF-16 units above 0x7F mapped to bytes (the DOS
 * glyphs of the control bytes, look-alike code points), tried before the table. What a
 * caller typed must never get an overlay that yields control bytes.
 */
export function encodeCp437(text: string, overlay?: ReadonlyMap<number, number>): Buffer {
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    out[n++] = u < 0x80 ? u : (overlay?.get(u) ?? CP437_ENCODE.get(u) ?? CP437_UNMAPPED);
    // A character beyond the BMP (an emoji) is two UTF-16 units and one character: one byte.
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) i++;
    }
  }
  return n === out.length ? out : out.subarray(0, n);
}

/** CP437 bytes -> Unicode; bytes below 0x80 are ASCII (controls stay controls). */
export function decodeCp437(bytes: Uint8Array): string {
  let high = false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) { high = true; break; }
  if (!high) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let text = '';
  const units = new Uint16Array(Math.min(bytes.length, 4096));
  for (let start = 0; start < bytes.length; start += units.length) {
    const n = Math.min(units.length, bytes.length - start);
    for (let i = 0; i < n; i++) units[i] = CP437_DECODE[bytes[start + i]!]!;
    text += String.fromCharCode(...units.subarray(0, n));
  }
  return text;
}

/** Text inside carrier is Unicode; this turns it into the bytes a terminal expects. */
export function encodeText(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  return encodeCp437(text);
}

export function decodeBytes(bytes: Buffer, encoding: Encoding): string {
  if (encoding === 'utf8') return bytes.toString('utf8');
  return decodeCp437(bytes);
}

/**
 * Terminal types that mean a CP437 BBS terminal, and prefixes that mean a modern
 * UTF-8 one (PROTOCOL-NOTES, "Terminal detection"). Anything else is unknown and
 * is left to LANG or a probe.
 */
const CP437_TYPES = new Set([
  'ansi', 'pcansi', 'pc-ansi', 'ansi-bbs', 'qansi', 'scoansi', 'syncterm', 'cterm', 'netrunner',
  'ansi-256color', 'ansi-256color-rgb', 'ansi-rgb',
]);
const UTF8_PREFIXES = ['xterm', 'linux', 'screen', 'tmux', 'rxvt', 'konsole', 'gnome', 'alacritty', 'kitty', 'foot', 'wezterm', 'st-', 'putty', 'iterm'];

export function encodingForTerminalType(type: string): Encoding | undefined {
  const t = type.toLowerCase();
  if (CP437_TYPES.has(t)) return 'cp437';
  if (UTF8_PREFIXES.some((p) => t === p || t.startsWith(p))) return 'utf8';
  return undefined;
}

/** LANG / LC_ALL / LC_CTYPE such as `en_US.UTF-8` say UTF-8 outright. */
export function encodingFromEnv(env: Readonly<Record<string, string>>): Encoding | undefined {
  for (const key of ['LC_ALL', 'LC_CTYPE', 'LANG']) {
    const v = env[key];
    if (!v) continue;
    if (/utf-?8/i.test(v)) return 'utf8';
    if (/437|cp437|ibm437/i.test(v)) return 'cp437';
  }
  return undefined;
}

/** The name a CHARSET (RFC 2066) answer maps to, if we speak it. */
export function encodingFromCharsetName(name: string): Encoding | undefined {
  const n = name.trim().toUpperCase();
  if (n === 'UTF-8' || n === 'UTF8') return 'utf8';
  if (n === 'CP437' || n === 'IBM437' || n === '437' || n === 'IBM-437') return 'cp437';
  return undefined;
}
