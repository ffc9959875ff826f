import { decodeCp437, encodeCp437 } from '@carrier/core';

/**
 * CP437 as ANSI art means it: a DOS screen shows a glyph for almost every control
 * byte (0x03 is a heart, 0x07 a bullet, not a bell), and 0x7F is a house. core's CP437
 * table (the one every Connection encodes with) maps the low half to ASCII controls,
 * which is right for typed input but wrong for art, so art decoding overlays the glyphs
 * here.
 */
const LOW_GLYPHS = '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼';
const DEL_GLYPH = '⌂';

/**
 * Bytes that keep their control meaning inside art: ESC starts the ANSI sequences
 * art is made of, CR/LF/TAB/BS move the cursor, and 0x1A is the DOS end-of-file mark
 * in front of SAUCE (the art loader cuts there before decoding).
 */
const ART_CONTROLS = new Set([0x08, 0x09, 0x0a, 0x0d, 0x1a, 0x1b]);

/** byte -> Unicode for art: the low glyphs except ART_CONTROLS, core's table above 0x7F. */
const ART_TABLE: readonly string[] = (() => {
  const t: string[] = [];
  for (let b = 0; b < 256; b++) {
    if (b >= 0x01 && b < 0x20 && !ART_CONTROLS.has(b)) t.push(LOW_GLYPHS[b]!);
    else if (b === 0x7f) t.push(DEL_GLYPH);
    else t.push(decodeCp437(Uint8Array.of(b)));
  }
  return t;
})();

const GLYPH_BYTES = /[\x01-\x07\x0b\x0c\x0e-\x19\x1c-\x1f\x7f]/g;

/** CP437 art bytes -> Unicode, control bytes shown as the glyphs a DOS screen shows. */
export function decodeCp437Art(bytes: Buffer | Uint8Array): string {
  const text = decodeCp437(bytes);
  return text.replace(GLYPH_BYTES, (c) => ART_TABLE[c.charCodeAt(0)]!);
}

/**
 * CP437 bytes -> Unicode with every byte 0x01-0x1F and 0x7F as its glyph, for text
 * that must never carry a control (SAUCE titles shown to a caller); NUL becomes a space.
 */
export function decodeCp437Glyphs(bytes: Buffer | Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0) out += ' ';
    else if (b < 0x20) out += LOW_GLYPHS[b]!;
    else out += ART_TABLE[b]!;
  }
  return out;
}

/**
 * What art adds to core's CP437 table on the way back to bytes, so decode and encode
 * agree: the low glyphs to their control bytes, the house to 0x7F, and look-alikes. All
 * are single UTF-16 units, which is what core's encoder looks up.
 */
const ART_OVERLAY: ReadonlyMap<number, number> = (() => {
  const m = new Map<number, number>();
  for (let b = 1; b < 0x20; b++) m.set(LOW_GLYPHS.charCodeAt(b), b);
  m.set(DEL_GLYPH.charCodeAt(0), 0x7f);
  // Look-alikes that other code pages and fonts use for the same CP437 cells.
  m.set(0x03b2, 0xe1); // Greek beta for the sharp s cell
  m.set(0x2126, 0xea); // Ohm sign for Omega
  m.set(0x2211, 0xe4); // n-ary summation for Sigma
  m.set(0x03bc, 0xe6); // Greek mu for micro
  return m;
})();

/**
 * Unicode art -> CP437 bytes (core's encoder with the art overlay): ASCII (controls
 * included) as is, the art glyphs back to their low bytes, box drawing and the rest
 * through the CP437 table, anything else '?'.
 */
export function encodeCp437Art(text: string): Buffer {
  return encodeCp437(text, ART_OVERLAY);
}
