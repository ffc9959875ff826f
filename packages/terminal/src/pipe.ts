/**
 * Pipe codes, the colour shorthand of BBS prompts and menus (Renegade, Mystic,
 * ENiGMA½): |00-|15 foreground, |16-|23 background, |24-|31 bright ("iCE")
 * background, `||` a literal pipe. Numbers follow DOS colour order (1 blue, 4 red),
 * not SGR order (1 red, 4 blue), hence the table.
 *
 * - Dark foregrounds (|00-|07) use SGR 22 (normal intensity), not SGR 0: a reset
 *   would also drop the background a menu set a moment earlier.
 * - Bright foregrounds (|08-|15) are SGR 1 (bold = bright on BBS terminals) + colour.
 * - Backgrounds |16-|23 send SGR 25 (blink off) with the colour, so a preceding iCE
 *   background does not linger.
 * - iCE backgrounds |24-|31 send SGR 5 (blink) with the colour: with iCE colours on
 *   (`ESC[?33h`, SyncTERM and other CTerm terminals) blink means a bright background;
 *   elsewhere the text blinks over the dark background, the classic DOS fallback.
 * - Anything else, including |32 and up and a pipe without two digits, is left alone.
 */

/** DOS colour index (0-7) -> ANSI colour index (0-7). */
const DOS_TO_ANSI = [0, 4, 2, 6, 1, 5, 3, 7] as const;

const PIPE_CODE = /\|\||\|([0-2][0-9]|3[01])/g;

/** The SGR sequence for one pipe code 0-31. */
export function pipeCodeSgr(code: number): string {
  if (!Number.isInteger(code) || code < 0 || code > 31) throw new RangeError(`pipe code out of range: ${code}`);
  const ansi = DOS_TO_ANSI[code % 8]!;
  if (code < 8) return `\x1b[22;${30 + ansi}m`;
  if (code < 16) return `\x1b[1;${30 + ansi}m`;
  if (code < 24) return `\x1b[25;${40 + ansi}m`;
  return `\x1b[5;${40 + ansi}m`;
}

export function renderPipeCodes(text: string): string {
  return text.replace(PIPE_CODE, (_match, digits: string | undefined) =>
    digits === undefined ? '|' : pipeCodeSgr(Number(digits)),
  );
}

/** The text a caller would see, without colour: for lengths, logs and plain terminals. */
export function stripPipeCodes(text: string): string {
  return text.replace(PIPE_CODE, (_match, digits: string | undefined) => (digits === undefined ? '|' : ''));
}

/**
 * Text shown as it is inside pipe-coded output: every `|` doubled, so a caller's `|12`
 * (a handle, a subject, a typed number) is not read as a colour.
 */
export function pipeLiteral(text: string): string {
  return text.replace(/\|/g, '||');
}
